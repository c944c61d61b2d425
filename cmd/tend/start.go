package main

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/metrics"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/runner"
	"github.com/tend-run/tend/startup"
)

func startCommand() *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "run the app's formation (the default command)",
		ArgsUsage: "[PROCESS...]",
		Flags: append(withAppFlags(
			&cli.StringFlag{Name: "formation", Aliases: []string{"m"}, Usage: "instances per type, e.g. `web=2,worker=1,all=0`", EnvVars: []string{"TEND_FORMATION"}},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: "base `PORT` (default: $PORT, else 5000)"},
			timeoutFlag(),
			stopSignalFlag(),
			signalLeaderFlag(),
			cronFlags()[0], cronFlags()[1], cronFlags()[2],
			lifecycleFlags()[0], lifecycleFlags()[1], lifecycleFlags()[2],
			&cli.StringFlag{Name: "memory-sample-every", Value: "5s", Hidden: true, Usage: "how often --max-memory samples (tests)"},
			&cli.StringFlag{Name: "crash-backoff", Value: "1s", Hidden: true, Usage: "the first back-off after a crash (tests; it doubles to 30 times that)"},
			&cli.StringFlag{Name: "on-failure-every", Value: "10m", Usage: "after an --on-failure hook, count a type's further failures for `DURATION` instead of running the hook again", EnvVars: []string{"TEND_ON_FAILURE_EVERY"}},
			&cli.StringFlag{Name: "can-die", Usage: "`TYPES` that may exit without stopping the rest", EnvVars: []string{"TEND_CAN_DIE"}},
			&cli.StringFlag{Name: "exclude", Aliases: []string{"x"}, Usage: "`TYPES` not to run, e.g. worker,clock", EnvVars: []string{"TEND_EXCLUDE"}},
			afterFlag(),
			&cli.StringFlag{Name: "tty", Usage: "`TYPES` to run on a pseudo-terminal, for tend attach (a debugger's keyboard)", EnvVars: []string{"TEND_TTY"}},
			&cli.BoolFlag{Name: "release", Usage: "run the release process once first; abort if it fails"},
			&cli.BoolFlag{Name: "timestamp", Usage: "print timestamps (default: when stdout is a terminal)"},
			&cli.BoolFlag{Name: "no-timestamp", Usage: "never print timestamps"},
			&cli.BoolFlag{Name: "no-prefix", Usage: "print output lines without name prefixes"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "`text` or json (one object per line)", EnvVars: []string{"TEND_LOG_FORMAT"}},
			&cli.StringFlag{Name: "log-buffer", Value: "1MiB", Usage: "recent output kept per process for tend logs, `SIZE` (0: none)", EnvVars: []string{"TEND_LOG_BUFFER"}},
			&cli.BoolFlag{Name: "cron", Usage: "run app.json's cron jobs even where DYNO is set (Dokku runs them from the host)", EnvVars: []string{"TEND_CRON"}},
			&cli.BoolFlag{Name: "no-cron", Usage: "do not run app.json's cron jobs"},
			&cli.BoolFlag{Name: "dokku-warnings", Usage: "print where Dokku would run the app differently (default: only in a Dokku container, DYNO or DOKKU_* set)", EnvVars: []string{"TEND_DOKKU_WARNINGS"}},
			&cli.BoolFlag{Name: "watch", Usage: "reload when the Procfile, app.json or env files change (SIGHUP does too)", EnvVars: []string{"TEND_WATCH"}},
			&cli.StringSliceFlag{Name: "watch-path", Usage: "with --watch: also watch files matching `GLOB` (e.g. '**/*.go')"},
			&cli.StringFlag{Name: "history", Usage: "keep cron run history in `FILE` (JSON lines) so that it survives restarts", EnvVars: []string{"TEND_HISTORY"}},
			&cli.StringFlag{Name: "on-failure", Usage: "run `CMD` when a process or cron run fails on its own (TEND_EVENT, TEND_PROCESS, TEND_JOB_ID, TEND_EXIT_CODE, TEND_FAILURES, TEND_REASON, TEND_DURATION, TEND_OUTPUT_TAIL)", EnvVars: []string{"TEND_ON_FAILURE"}},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve the status page, /metrics, /status and /healthz on `ADDR` (e.g. 127.0.0.1:9090; a bare :9090 means loopback)", EnvVars: []string{"TEND_METRICS_ADDR"}},
			&cli.StringFlag{Name: "watch-restart", Usage: "`TYPES` to restart when a --watch-path file changes"},
		), cronContractFlags()...),
		Action: startAction,
	}
}

func afterFlag() cli.Flag {
	return &cli.StringFlag{Name: "after", Usage: "start a type once the types it names are ready, e.g. `worker=web`", EnvVars: []string{"TEND_AFTER"}}
}

func startAction(c *cli.Context) error {
	sp, err := planStart(c)
	if err != nil {
		return err
	}
	opts, a, out, timeout, settings, planner, specs, jobs := sp.opts, sp.app, sp.out, sp.timeout, sp.settings, sp.planner, sp.specs, sp.jobs
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	terminal := proc.IsTerminal(os.Stdin)
	hook := startup.FailureHook(flagString(c, "on-failure"), a, reaper, out)
	if hook != nil {
		hook.Every = sp.failureEvery
	}
	out.SetNames(startup.InstanceNames(specs, jobs, c.Bool("release")))
	watching := c.Bool("watch")
	if len(specs) == 0 && len(jobs) == 0 && !watching {
		return &exitError{code: 1, err: fmt.Errorf("nothing to run: the formation has no instances and there are no cron jobs")}
	}
	var current atomic.Pointer[app.App] // the launcher reads it, reloads replace it
	current.Store(a)
	var cronCfg *cron.Config
	// A name's output on the page: its last lines in the `tend logs`
	// buffer (the Tail's few KiB under --log-buffer 0).
	page := metrics.PageSources{Version: version, Root: a.Root, Output: func(name string) string { return out.Recent(name, pageOutputLines) }}
	if len(jobs) > 0 || (watching && settings.CronAllowed(a)) {
		var store *history.Store
		if cronCfg, store, err = cronConfig(c, settings, a, out, reaper, timeout, jobs, &current); err != nil {
			return err
		}
		defer store.Close()
		var closePings func()
		cronCfg.Ping, closePings = startup.Pings(settings, out)
		defer closePings()
		page.Runs = store.Runs
	}
	reloads := make(chan runner.ReloadRequest, 1)
	if watching {
		stop, err := startup.Watch(a, startup.Watching{Globs: flagStrings(c, "watch-path"), Restart: flagString(c, "watch-restart"),
			Ignore: []string{flagString(c, "lock-dir"), flagString(c, "history")}}, out, reloads)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		defer stop()
	}
	after, err := settings.AfterOrder(a)
	if err != nil {
		return planError(err)
	}
	sup := runner.NewSupervisor(runner.Config{
		Dir: a.Root, Instances: specs, Timeout: timeout, SampleEvery: sp.sampleEvery, Backoff: lifecycle.Backoff{Min: sp.crashBackoff, Max: 30 * sp.crashBackoff}, KeepWatching: watching, After: after,
		Terminal: terminal, Output: out, Reaper: reaper, Cron: cronCfg,
		Reloads: reloads, OnFailure: hook, Reload: startup.Reloader(opts, planner, out, &current),
		Keyboard: startup.Keyboard(specs, terminal),
	})
	// Binding the control socket is the single-instance check, so it comes
	// before anything runs: a second `tend start --release` must refuse
	// before it runs the release command (migrations) again. The release's
	// supervisor answers while it runs, so the socket is live throughout.
	var serving atomic.Pointer[runner.Supervisor]
	stop, err := startup.Serve(startup.Serving{Root: a.Root, Socket: flagString(c, "socket"), MetricsAddr: flagString(c, "metrics-addr"), Page: page, Attach: startup.AttachTo(&serving)},
		startup.WithCronRuns(startup.ServedBy(&serving), page.Runs), sup.Cron(), out)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	defer stop()
	if c.Bool("release") {
		if code, stopped := startup.RunRelease(c.Context, a, out, reaper, timeout, terminal, &serving); code != 0 || stopped {
			return exitCode(code) // a SIGTERM during the release does not start the app
		}
	}
	serving.Store(sup)
	return exitCode(sup.Run(c.Context))
}

// pageOutputLines is how many of a name's last lines the status page
// shows.
const pageOutputLines = 200

// startPlan is what `tend start` runs: the flags and files, read once.
type startPlan struct {
	opts     app.Options
	app      *app.App
	out      *output.Mux
	timeout  time.Duration
	settings app.Settings
	planner  *app.Planner
	specs    []runner.InstanceSpec
	jobs     []cron.Job
	// sampleEvery is --memory-sample-every, failureEvery --on-failure-every,
	// crashBackoff --crash-backoff.
	sampleEvery, failureEvery, crashBackoff time.Duration
}

// planStart loads the app, builds the output and plans the formation and
// the cron jobs; the app's warnings are printed.
func planStart(c *cli.Context) (*startPlan, error) {
	sp := &startPlan{opts: loadOptions(c, os.Environ()), settings: settingsFrom(c)}
	var err error
	if sp.app, err = app.Load(sp.opts); err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	proc.CatchSIGPIPE() // the Mux stops the formation on EPIPE instead
	logBuffer, err := app.ParseSize(flagString(c, "log-buffer"))
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("invalid --log-buffer: %w", err)}
	}
	// The hook's TEND_OUTPUT_TAIL shows recent output, and so does the
	// status page, from the log buffer when there is one.
	keepTail := flagString(c, "on-failure") != "" || flagString(c, "metrics-addr") != "" && logBuffer == 0
	if sp.out, err = startup.NewOutput(startup.OutputSettings{Format: flagString(c, "log-format"),
		Timestamp: c.Bool("timestamp"), NoTimestamp: c.Bool("no-timestamp"), NoPrefix: c.Bool("no-prefix"),
		KeepTail: keepTail, LogBuffer: logBuffer}); err != nil {
		return nil, planError(err)
	}
	for _, w := range append(sp.app.Warnings, projectDefaults.Warnings...) {
		sp.out.Errorf("warning: %s", w)
	}
	// Where Dokku would differ matters in a Dokku container (or when asked).
	if c.Bool("dokku-warnings") || app.InDokku(os.Environ()) {
		for _, w := range report.GroupDokku(sp.app.DokkuWarnings()) {
			sp.out.Errorf("warning: %s", w)
		}
	}
	if sp.timeout, err = parseTimeout(flagString(c, "timeout")); err != nil {
		return nil, err
	}
	if sp.sampleEvery, err = app.ParseDuration(flagString(c, "memory-sample-every"), true); err != nil || sp.sampleEvery <= 0 {
		return nil, &exitError{code: 2, err: fmt.Errorf("invalid --memory-sample-every: want a duration above 0")}
	}
	if sp.crashBackoff, err = app.ParseDuration(flagString(c, "crash-backoff"), true); err != nil || sp.crashBackoff <= 0 {
		return nil, &exitError{code: 2, err: fmt.Errorf("invalid --crash-backoff: want a duration above 0")}
	}
	if sp.failureEvery, err = app.ParseDuration(flagString(c, "on-failure-every"), false); err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("invalid --on-failure-every: %w", err)}
	}
	if !proc.CanMeasure && sp.settings.MaxMemory != "" {
		sp.out.Errorf("warning: --max-memory needs /proc, which this system has not: it is not enforced")
	}
	sp.planner = app.NewPlanner(sp.settings, c.Args().Slice())
	if sp.specs, sp.jobs, err = plan(sp.planner, sp.app, sp.out); err != nil {
		return nil, err
	}
	return sp, nil
}

// plan plans a (loaded) app; errors carry their exit status.
func plan(p *app.Planner, a *app.App, out *output.Mux) ([]runner.InstanceSpec, []cron.Job, error) {
	specs, jobs, err := startup.Plan(p, a, out)
	if err != nil {
		return nil, nil, planError(err)
	}
	return specs, jobs, nil
}

// ended ends an action with the exit status of a run, or the error that
// kept it from running (see planError).
func ended(code int, err error) error {
	if err != nil {
		return planError(err)
	}
	return exitCode(code)
}

// planError gives an error of app's rules its exit status: 2 for a flag
// value tend cannot use, else 1.
func planError(err error) error {
	if ue := (*app.UsageError)(nil); errors.As(err, &ue) {
		return &exitError{code: 2, err: err}
	}
	return &exitError{code: 1, err: err}
}

// cronConfig opens the run history and configures the scheduler; the
// caller closes the history.
func cronConfig(c *cli.Context, settings app.Settings, a *app.App, out *output.Mux, reaper *proc.Reaper, timeout time.Duration, jobs []cron.Job, current *atomic.Pointer[app.App]) (*cron.Config, *history.Store, error) {
	store, err := startup.OpenHistory(flagString(c, "history"))
	if err != nil {
		return nil, nil, &exitError{code: 1, err: err}
	}
	cfg, err := startup.SchedulerConfig(settings, a, out, reaper, timeout, jobs, current, store)
	if err != nil {
		store.Close()
		return nil, nil, planError(err)
	}
	return cfg, store, nil
}
