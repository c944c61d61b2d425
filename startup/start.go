package startup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/formation"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/metrics"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/runner"
	"github.com/tend-run/tend/spec"
)

// Start is what `tend start` was asked, from its flags, read once; the
// durations and sizes are as given and judged by Run.
type Start struct {
	Options  app.Options
	Settings app.Settings
	// Only are the PROCESS arguments: the types or instances to run.
	Only []string
	// Warnings are printed first with the app's (the project file's).
	Warnings []string
	// Version is the binary's, for the status page.
	Version string

	Timeout           string // --timeout
	MemorySampleEvery string // --memory-sample-every
	CrashBackoff      string // --crash-backoff
	OnFailure         string // --on-failure
	OnFailureEvery    string // --on-failure-every
	LogBuffer         string // --log-buffer
	Output            OutputSettings
	DokkuWarnings     bool // --dokku-warnings
	Release           bool // --release
	Watch             bool // --watch
	WatchPaths        []string
	WatchRestart      string
	Socket            string // --socket
	MetricsAddr       string // --metrics-addr
}

// exit is an error with the exit status tend ends with.
type exit struct {
	code int
	err  error
}

func (e *exit) Error() string { return e.err.Error() }

// codeOf gives an error of app's rules its exit status: 2 for a flag
// value tend cannot use, else 1; an exit keeps its own.
func codeOf(err error) (int, error) {
	var e *exit
	if errors.As(err, &e) {
		return e.code, e.err
	}
	if ue := (*app.UsageError)(nil); errors.As(err, &ue) {
		return 2, err
	}
	return 1, err
}

// failed is err with exit status 1, whatever it is.
func failed(err error) error { return &exit{code: 1, err: err} }

// usage is a flag value tend cannot use: exit status 2.
func usage(format string, args ...any) error {
	return &exit{code: 2, err: fmt.Errorf(format, args...)}
}

// Run is `tend start`: it plans the app, binds the control socket (and the
// metrics endpoint), runs the release if asked and then the formation and
// the cron jobs until they end. It returns tend's exit status and, when
// something kept tend from running, why (nil: nothing more to print).
func Run(ctx context.Context, s Start) (int, error) {
	p, err := plan(s)
	if err != nil {
		return codeOf(err)
	}
	return p.run(ctx)
}

// planned is what Run runs: the flags and files, read once.
type planned struct {
	Start
	app     *app.App
	out     *output.Mux
	timeout time.Duration
	planner *formation.Planner
	specs   []spec.Instance
	jobs    []cron.Job
	// sampleEvery is --memory-sample-every, failureEvery --on-failure-every,
	// crashBackoff --crash-backoff.
	sampleEvery, failureEvery, crashBackoff time.Duration
}

// plan loads the app, builds the output and plans the formation and the
// cron jobs; the app's warnings are printed.
func plan(s Start) (*planned, error) {
	p := &planned{Start: s}
	var err error
	if p.app, err = app.Load(s.Options); err != nil {
		return nil, failed(err)
	}
	proc.CatchSIGPIPE() // the Mux stops the formation on EPIPE instead
	logBuffer, err := app.ParseSize(s.LogBuffer)
	if err != nil {
		return nil, usage("invalid --log-buffer: %w", err)
	}
	// The hook's TEND_OUTPUT_TAIL shows recent output, and so does the
	// status page, from the log buffer when there is one.
	o := s.Output
	o.KeepTail, o.LogBuffer = s.OnFailure != "" || s.MetricsAddr != "" && logBuffer == 0, logBuffer
	if p.out, err = NewOutput(o); err != nil {
		return nil, err
	}
	p.warn()
	if err := p.durations(); err != nil {
		return nil, err
	}
	if !procfs.CanMeasure && s.Settings.MaxMemory != "" {
		p.out.Errorf("warning: --max-memory needs /proc, which this system has not: it is not enforced")
	}
	p.planner = formation.NewPlanner(s.Settings, s.Only)
	if p.specs, p.jobs, err = Plan(p.planner, p.app, p.out); err != nil {
		return nil, err
	}
	return p, nil
}

// warn prints the app's and the project file's warnings, and where Dokku
// would differ in a Dokku container (or when asked).
func (p *planned) warn() {
	for _, w := range append(p.app.Warnings, p.Warnings...) {
		p.out.Errorf("warning: %s", w)
	}
	if p.DokkuWarnings || app.InDokku(os.Environ()) {
		for _, w := range report.GroupDokku(p.app.DokkuWarnings()) {
			p.out.Errorf("warning: %s", w)
		}
	}
}

// durations reads -t, --memory-sample-every, --crash-backoff and
// --on-failure-every.
func (p *planned) durations() error {
	var err error
	if p.timeout, err = app.ParseDuration(p.Timeout, true); err != nil {
		return usage("invalid --timeout: %w", err)
	}
	if p.sampleEvery, err = app.ParseDuration(p.MemorySampleEvery, true); err != nil || p.sampleEvery <= 0 {
		return usage("invalid --memory-sample-every: want a duration above 0")
	}
	if p.crashBackoff, err = app.ParseDuration(p.CrashBackoff, true); err != nil || p.crashBackoff <= 0 {
		return usage("invalid --crash-backoff: want a duration above 0")
	}
	if p.failureEvery, err = app.ParseDuration(p.OnFailureEvery, false); err != nil {
		return usage("invalid --on-failure-every: %w", err)
	}
	return nil
}

// run runs the plan: the reaper, the hook, the scheduler and the watcher
// live as long as it does.
func (p *planned) run(ctx context.Context) (int, error) {
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	hook := FailureHook(p.OnFailure, p.app, reaper, p.out)
	if hook != nil {
		hook.Every = p.failureEvery
	}
	p.out.SetNames(InstanceNames(p.specs, p.jobs, p.Release))
	if len(p.specs) == 0 && len(p.jobs) == 0 && !p.Watch {
		return 1, fmt.Errorf("nothing to run: the formation has no instances and there are no cron jobs")
	}
	var current atomic.Pointer[app.App] // the launcher reads it, reloads replace it
	current.Store(p.app)
	// A name's output on the page: its last lines in the `tend logs`
	// buffer (the Tail's few KiB under --log-buffer 0).
	page := metrics.PageSources{Version: p.Version, Root: p.app.Root, Output: func(name string) string { return p.out.Recent(name, pageOutputLines) }}
	var cronCfg *cron.Config
	if len(p.jobs) > 0 || (p.Watch && p.Settings.CronAllowed(p.app)) {
		var store *history.Store
		var err error
		if cronCfg, store, err = p.cronConfig(reaper, &current); err != nil {
			return codeOf(err)
		}
		defer store.Close()
		var closePings func()
		cronCfg.Ping, closePings = Pings(p.Settings, p.out)
		defer closePings()
		page.Runs = store.Runs
	}
	reloads := make(chan spec.ReloadRequest, 1)
	if p.Watch {
		stop, err := Watch(p.app, Watching{Globs: p.WatchPaths, Restart: p.WatchRestart, Ignore: []string{p.Settings.LockDir, p.Settings.History}}, p.out, reloads)
		if err != nil {
			return 1, err
		}
		defer stop()
	}
	return p.supervise(ctx, reaper, hook, cronCfg, reloads, page, &current)
}

// supervise binds the control socket, runs the release if asked, then the
// formation.
func (p *planned) supervise(ctx context.Context, reaper *proc.Reaper, hook *hook.Hook, cronCfg *cron.Config, reloads chan spec.ReloadRequest, page metrics.PageSources, current *atomic.Pointer[app.App]) (int, error) {
	after, err := formation.AfterOrder(p.Settings, p.app)
	if err != nil {
		return codeOf(err)
	}
	terminal := proc.IsTerminal(os.Stdin)
	sup := runner.NewSupervisor(runner.Config{
		Dir: p.app.Root, Instances: p.specs, Timeout: p.timeout, SampleEvery: p.sampleEvery, Backoff: lifecycle.Backoff{Min: p.crashBackoff, Max: 30 * p.crashBackoff}, KeepWatching: p.Watch, After: after,
		Terminal: terminal, Output: p.out, Reaper: reaper, Cron: cronCfg,
		Reloads: reloads, OnFailure: hook, Reload: Reloader(p.Options, p.planner, p.out, current),
		Keyboard: Keyboard(p.specs, terminal), ExitAfter: true,
	})
	// Binding the control socket is the single-instance check, so it comes
	// before anything runs: a second `tend start --release` must refuse
	// before it runs the release command (migrations) again. The release's
	// supervisor answers while it runs, so the socket is live throughout.
	var serving atomic.Pointer[runner.Supervisor]
	stop, err := Serve(Serving{Root: p.app.Root, Socket: p.Socket, MetricsAddr: p.MetricsAddr, Page: page, Attach: AttachTo(&serving)},
		WithCronRuns(ServedBy(&serving), page.Runs), sup.Cron(), p.out)
	if err != nil {
		return 1, err
	}
	defer stop()
	if p.Release {
		if code, stopped := RunRelease(ctx, p.app, p.out, reaper, p.timeout, terminal, &serving); code != 0 || stopped {
			return code, nil // a SIGTERM during the release does not start the app
		}
	}
	serving.Store(sup)
	return sup.Run(ctx), nil
}

// pageOutputLines is how many of a name's last lines the status page
// shows.
const pageOutputLines = 200

// cronConfig opens the run history and configures the scheduler; the
// caller closes the history.
func (p *planned) cronConfig(reaper *proc.Reaper, current *atomic.Pointer[app.App]) (*cron.Config, *history.Store, error) {
	store, err := OpenHistory(p.Settings.History)
	if err != nil {
		return nil, nil, failed(err)
	}
	cfg, err := SchedulerConfig(p.Settings, p.app, p.out, reaper, p.timeout, p.jobs, current, store)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return cfg, store, nil
}
