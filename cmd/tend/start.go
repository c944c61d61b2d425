package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/runner"
)

func startCommand() *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "run the app's formation (the default command)",
		ArgsUsage: "[PROCESS...]",
		Flags: withAppFlags(
			&cli.StringFlag{Name: "formation", Aliases: []string{"m"}, Usage: "instances per type, e.g. `web=2,worker=1,all=0`", EnvVars: []string{"TEND_FORMATION"}},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: "base `PORT` (default: $PORT, else 5000)"},
			timeoutFlag(),
			stopSignalFlag(),
			signalLeaderFlag(),
			cronFlags()[0], cronFlags()[1],
			&cli.BoolFlag{Name: "restart", Usage: "restart exited processes (back-off 1s to 30s; gives up after 10 quick crashes)", EnvVars: []string{"TEND_RESTART"}},
			&cli.StringFlag{Name: "can-die", Usage: "`TYPES` that may exit without stopping the rest", EnvVars: []string{"TEND_CAN_DIE"}},
			&cli.BoolFlag{Name: "release", Usage: "run the release process once first; abort if it fails"},
			&cli.BoolFlag{Name: "timestamp", Usage: "print timestamps (default: when stdout is a terminal)"},
			&cli.BoolFlag{Name: "no-timestamp", Usage: "never print timestamps"},
			&cli.BoolFlag{Name: "no-prefix", Usage: "print output lines without name prefixes"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "`text` or json (one object per line)", EnvVars: []string{"TEND_LOG_FORMAT"}},
			&cli.BoolFlag{Name: "cron", Usage: "run app.json's cron jobs even where DYNO is set (Dokku runs them from the host)", EnvVars: []string{"TEND_CRON"}},
			&cli.BoolFlag{Name: "no-cron", Usage: "do not run app.json's cron jobs"},
			&cli.BoolFlag{Name: "watch", Usage: "reload when the Procfile, app.json or env files change (SIGHUP does too)", EnvVars: []string{"TEND_WATCH"}},
			&cli.StringSliceFlag{Name: "watch-path", Usage: "with --watch: also watch files matching `GLOB` (e.g. '**/*.go')"},
			&cli.StringFlag{Name: "history", Usage: "keep cron run history in `FILE` (JSON lines) so that it survives restarts", EnvVars: []string{"TEND_HISTORY"}},
			&cli.StringFlag{Name: "on-failure", Usage: "run `CMD` when a process or cron run fails on its own (TEND_PROCESS, TEND_JOB_ID, TEND_EXIT_CODE, TEND_DURATION, TEND_OUTPUT_TAIL)", EnvVars: []string{"TEND_ON_FAILURE"}},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve /metrics, /status and /healthz on `ADDR` (e.g. 127.0.0.1:9090; a bare :9090 means loopback)", EnvVars: []string{"TEND_METRICS_ADDR"}},
			&cli.StringFlag{Name: "watch-restart", Usage: "`TYPES` to restart when a --watch-path file changes"},
		),
		Action: startAction,
	}
}

func startAction(c *cli.Context) error {
	opts := loadOptions(c, os.Environ())
	a, err := app.Load(opts)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	runner.CatchSIGPIPE() // the Mux stops the formation on EPIPE instead
	out, err := newOutput(c, flagString(c, "on-failure") != "")
	if err != nil {
		return err
	}
	for _, w := range a.Warnings {
		out.Errorf("warning: %s", w)
	}
	timeout, err := parseTimeout(flagString(c, "timeout"))
	if err != nil {
		return err
	}
	planner := &planner{c: c, only: c.Args().Slice(), ports: runner.NewPorts()}
	specs, jobs, err := planner.plan(a, out)
	if err != nil {
		return err
	}
	reaper := runner.NewReaper(nil)
	defer reaper.Close()
	terminal := runner.IsTerminal(os.Stdin)
	var hook *runner.Hook
	if cmd := flagString(c, "on-failure"); cmd != "" {
		hook = &runner.Hook{Command: cmd, Env: a.Env.Environ(), Dir: a.Root, Timeout: time.Minute, Reaper: reaper, Output: out}
	}
	names := instanceNames(specs, jobs)
	if c.Bool("release") {
		names = append(names, "release.1") // one padding for the whole run
	}
	out.SetNames(names)
	watching := c.Bool("watch")
	if len(specs) == 0 && len(jobs) == 0 && !watching {
		return &exitError{code: 1, err: errorf("nothing to run: the formation has no instances and there are no cron jobs")}
	}
	var current atomic.Pointer[app.App] // the launcher reads it, reloads replace it
	current.Store(a)
	var sup *runner.Supervisor
	var sched *runner.Scheduler
	if len(jobs) > 0 || (watching && planner.cronAllowed(a)) {
		store, err := openHistory(c)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		defer store.Close()
		if sched, err = newScheduler(c, a, out, timeout, jobs, &current, &sup, hook, historyRecorder{store, out}); err != nil {
			return err
		}
	}
	reloads := make(chan runner.ReloadRequest, 1)
	if watching {
		stop, err := watchFiles(c, a, reloads)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		defer stop()
	}
	sup = runner.NewSupervisor(runner.Config{
		Dir: a.Root, Instances: specs, Timeout: timeout, Restart: c.Bool("restart"),
		Terminal: terminal, Output: out, Reaper: reaper, Cron: sched, CronJobs: jobs,
		Reloads: reloads, OnFailure: hook,
		Reload: func() (runner.ReloadPlan, error) {
			next, err := app.Load(opts)
			if err != nil {
				for _, line := range errorLines(err) {
					out.Errorf("%s", line)
				}
				return runner.ReloadPlan{}, err
			}
			specs, jobs, err := planner.plan(next, out)
			if err != nil {
				out.Errorf("%v", err)
				return runner.ReloadPlan{}, err
			}
			prev := current.Swap(next)
			return runner.ReloadPlan{Instances: specs, Cron: jobs, EnvChanged: !slices.Equal(prev.Env.Environ(), next.Env.Environ())}, nil
		},
	})
	// Binding the control socket is the single-instance check, so it comes
	// before anything runs: a second `tend start --release` must refuse
	// before it runs the release command (migrations) again. The release's
	// supervisor answers while it runs, so the socket is live throughout.
	var serving atomic.Pointer[runner.Supervisor]
	stop, err := serveControl(c, a.Root, func(op, target string) (runner.Snapshot, error) {
		if s := serving.Load(); s != nil {
			return s.Do(op, target)
		}
		return runner.Snapshot{Pid: os.Getpid()}, errorf("tend is starting")
	}, sched, out)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	defer stop()
	if c.Bool("release") {
		if code, stopped := runRelease(c, a, out, reaper, timeout, terminal, &serving); code != 0 || stopped {
			return exitCode(code) // a SIGTERM during the release does not start the app
		}
	}
	serving.Store(sup)
	return exitCode(sup.Run(c.Context))
}

// planner turns a loaded app into instances and cron jobs, the same way at
// start and at every reload; port blocks stay with their types.
type planner struct {
	c     *cli.Context
	only  []string
	ports *runner.Ports
}

func (p *planner) plan(a *app.App, out *runner.Mux) ([]runner.InstanceSpec, []runner.CronJob, error) {
	specs, err := planInstances(p.c, a, p.only, p.ports)
	if err != nil {
		return nil, nil, err
	}
	jobs, err := scheduledJobs(p.c, a, out)
	return specs, jobs, err
}

// cronAllowed says whether this run may schedule cron jobs at all.
func (p *planner) cronAllowed(a *app.App) bool {
	_, dyno := a.Env.Get("DYNO")
	return !p.c.Bool("no-cron") && (!dyno || p.c.Bool("cron"))
}

func instanceNames(specs []runner.InstanceSpec, jobs []runner.CronJob) []string {
	names := []string{}
	for _, s := range specs {
		names = append(names, s.Name)
	}
	for _, j := range jobs {
		names = append(names, j.Name())
	}
	return names
}

// newScheduler builds the cron scheduler; its runs start through the
// supervisor (assigned later, before any run is due) with the app as it is
// at that moment.
func newScheduler(c *cli.Context, a *app.App, out *runner.Mux, timeout time.Duration, jobs []runner.CronJob, current *atomic.Pointer[app.App], sup **runner.Supervisor, hook *runner.Hook, hist runner.History) (*runner.Scheduler, error) {
	locks, err := openLockDir(c, a)
	if err != nil {
		// Like the control socket, the default lock dir is no reason to
		// refuse to run where the file system is read-only.
		if flagString(c, "lock-dir") != "" || !noPlace(err) {
			return nil, err
		}
		out.Errorf("warning: running without a lock dir, so forbid and replace hold only within this tend: %v", err)
		locks = nil
	}
	sigs, err := stopSignals(c)
	if err != nil {
		return nil, err
	}
	return runner.NewScheduler(runner.SchedulerConfig{
		Jobs: jobs, Locks: locks, Grace: timeout, StopSignal: sigs["cron"], Output: out, OnFailure: hook,
		History: hist,
		Launch: func(job runner.CronJob, scheduled, deadline time.Time) (runner.RunHandle, error) {
			a := current.Load()
			path, args := runner.ShellCommand(cronShellCommand(a, job.Command))
			child, err := (*sup).StartPiped(job.Name(), runner.Command{
				Path: path, Args: args, Env: cronEnv(a, job.ID, scheduled, deadline), Dir: a.Root, NewGroup: true,
			}, job.Tee)
			if err != nil {
				return nil, err
			}
			return child, nil
		},
	}), nil
}

// runRelease runs the release type once, before anything else starts; it
// returns tend's exit code and whether a stop request ended the release.
func runRelease(c *cli.Context, a *app.App, out *runner.Mux, reaper *runner.Reaper, timeout time.Duration, terminal bool, serving *atomic.Pointer[runner.Supervisor]) (int, bool) {
	rel, ok := a.Process(runner.ReleaseType)
	if !ok {
		out.Errorf("--release: the Procfile has no release process")
		return 1, false
	}
	env := runner.WithEnv(a.Env.Environ(), "PS=release.1", "DYNO=release.1")
	sup := runner.NewSupervisor(runner.Config{
		Dir: a.Root, Timeout: timeout, Terminal: terminal, Output: out, Reaper: reaper,
		Instances: []runner.InstanceSpec{{Name: "release.1", Type: runner.ReleaseType, Command: rel.Command, Env: env, StopSignal: syscall.SIGTERM, CanDie: true}},
	})
	serving.Store(sup)
	code := sup.Run(c.Context)
	if code != 0 {
		out.Errorf("release failed (exit status %d): not starting the app", code)
	}
	return code, sup.StopRequested()
}

// planInstances resolves the formation, ports and per-type settings.
func planInstances(c *cli.Context, a *app.App, only []string, ports *runner.Ports) ([]runner.InstanceSpec, error) {
	formation, err := resolveFormation(c, a)
	if err != nil {
		return nil, err
	}
	types := make([]runner.ProcessType, 0, len(a.Processes))
	for _, p := range a.Processes {
		types = append(types, runner.ProcessType{Name: p.Name, Command: p.Command})
	}
	for _, name := range only {
		if _, ok := a.Process(name); !ok {
			return nil, &exitError{code: 1, err: errorf("no process type %q in %s", name, a.ProcfilePath)}
		}
	}
	if len(only) > 0 {
		limited := runner.Formation{Counts: map[string]int{}}
		for _, name := range only {
			limited.Counts[name] = max(formation.Count(name), 1)
		}
		formation = limited
	}
	base, err := basePort(c, a)
	if err != nil {
		return nil, err
	}
	stopSignals, err := stopSignals(c)
	if err != nil {
		return nil, err
	}
	specs, err := runner.Plan(types, runner.PlanOptions{
		Formation: formation, BasePort: base, Env: a.Env.Environ(),
		StopSignals: stopSignals, LeaderOnly: typeSet(flagString(c, "signal-leader")),
		CanDie: typeSet(flagString(c, "can-die")), Ports: ports,
	})
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return specs, nil
}

// resolveFormation: -m wins; else app.json's formation outside a platform
// container (DYNO unset); else every type once.
func resolveFormation(c *cli.Context, a *app.App) (runner.Formation, error) {
	if spec := flagString(c, "formation"); spec != "" {
		f, err := runner.ParseFormation(spec)
		if err != nil {
			return f, &exitError{code: 2, err: err}
		}
		return f, nil
	}
	if _, inContainer := a.Env.Get("DYNO"); !inContainer && a.Formation() != nil {
		return runner.Formation{Counts: a.Formation()}, nil
	}
	return runner.Formation{All: 1}, nil
}

func basePort(c *cli.Context, a *app.App) (int, error) {
	if c.IsSet("port") {
		return c.Int("port"), nil
	}
	if p, ok := a.Env.Get("PORT"); ok && p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			// Name the variable, never its value (a misplaced secret).
			return 0, &exitError{code: 2, err: errorf("PORT is not a port number from 1 to 65535")}
		}
		return n, nil
	}
	return 5000, nil
}

// stopSignals reads --stop-signal worker=QUIT,web=TERM.
func stopSignals(c *cli.Context) (map[string]syscall.Signal, error) {
	settings, err := runner.ParsePerType(flagString(c, "stop-signal"))
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--stop-signal: %w", err)}
	}
	out := map[string]syscall.Signal{}
	for typ, name := range settings {
		sig, err := runner.ParseSignal(name)
		if err != nil {
			return nil, &exitError{code: 2, err: fmt.Errorf("--stop-signal %s: %w", typ, err)}
		}
		out[typ] = sig
	}
	return out, nil
}

func typeSet(list string) map[string]bool {
	out := map[string]bool{}
	for t := range strings.SplitSeq(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out[t] = true
		}
	}
	return out
}

// newOutput builds the multiplexer from the output flags and the terminal.
func newOutput(c *cli.Context, keepTail bool) (*runner.Mux, error) {
	format := flagString(c, "log-format")
	if !slices.Contains([]string{"text", "json"}, format) {
		return nil, &exitError{code: 2, err: errorf("invalid --log-format %q: want text or json", format)}
	}
	stdoutTTY := runner.IsTerminal(os.Stdout)
	timestamps := stdoutTTY
	if c.Bool("timestamp") {
		timestamps = true
	}
	if c.Bool("no-timestamp") {
		timestamps = false
	}
	color := stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return runner.NewMux(runner.OutputOptions{
		Stdout: os.Stdout, Stderr: os.Stderr, Timestamps: timestamps,
		Prefix: !c.Bool("no-prefix"), Color: color, JSON: format == "json", KeepTail: keepTail,
	}), nil
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// scheduledJobs are the cron jobs `tend start` runs: none with --no-cron,
// and none inside a platform container (DYNO set: Dokku runs app.json's
// cron from the host) unless --cron asks.
func scheduledJobs(c *cli.Context, a *app.App, out *runner.Mux) ([]runner.CronJob, error) {
	jobs, err := cronJobs(c, a)
	if err != nil || len(jobs) == 0 || c.Bool("no-cron") {
		return nil, err
	}
	if _, set := a.Env.Get("DYNO"); set && !c.Bool("cron") {
		out.Printf("not running the %d app.json cron jobs: DYNO is set, so the platform runs them (--cron to run them here)", len(jobs))
		return nil, nil
	}
	return jobs, nil
}
