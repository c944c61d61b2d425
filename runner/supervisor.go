package runner

import (
	"context"
	"errors"
	"fmt"
	"github.com/tend-run/tend/console"
	"os"
	"syscall"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// Backoff is the --restart policy: a delay from Min doubling to Max, reset
// after a run of Healthy; GiveUp quick crashes in a row stop everything.
type Backoff struct {
	Min, Max, Healthy time.Duration
	GiveUp            int
}

// DefaultBackoff is 1 s doubling to 30 s, reset after a minute up, giving
// up after ten quick crashes in a row.
var DefaultBackoff = Backoff{Min: time.Second, Max: 30 * time.Second, Healthy: time.Minute, GiveUp: 10}

// Config is everything a Supervisor runs.
type Config struct {
	Dir       string
	Instances []InstanceSpec
	// Timeout is the grace period between the stop signal and SIGKILL.
	Timeout time.Duration
	// Restart restarts exited instances instead of stopping everything.
	Restart bool
	// KeepWatching (--watch) keeps the rest running when an instance exits:
	// it waits for the next change of the files and starts again then.
	KeepWatching bool
	// Backoff is the restart policy (zero: DefaultBackoff).
	Backoff Backoff
	// Terminal says tend's stdin is a terminal: SIGHUP is a hangup (drain)
	// and WINCH is the terminal's own, so it is not forwarded (TSTP, TTIN
	// and TTOU are job control either way: see suspend).
	Terminal bool
	Output   *output.Mux
	Reaper   *proc.Reaper
	// Cron, when set, configures the cron scheduler, which is started
	// with the formation and drained with it (see Supervisor.Cron).
	Cron *cron.Config
	// Reloads are requests to apply changes (SIGHUP, --watch); Reload
	// parses the app again for them.
	Reloads <-chan ReloadRequest
	Reload  Reloader
	// OnFailure runs when an instance fails on its own (nil: nothing).
	OnFailure *Hook
	// Signals, if set, are the signals Run acts on, as if tend had received
	// them (tests send them in-process); nil: Run catches tend's own
	// (proc.HandledSignals) for as long as it runs.
	Signals <-chan os.Signal
	// After is --after: a type starts once every instance of the types it
	// names is up (past its startup checks, and ready if it has readiness
	// checks).
	After map[string][]string
	// Keyboard, if set, is tend's own terminal: what is typed there goes
	// to the one instance on a terminal (--tty with a single instance, in
	// the foreground).
	Keyboard *os.File
}

// Supervisor runs a formation and owns the lifecycle of every instance:
// start, exit, restart and the drain. All its state belongs to the goroutine
// running Run; other goroutines only send it events.
type Supervisor struct {
	cfg       Config
	instances []*instance
	events    chan event
	cron      *cron.Scheduler

	draining   bool
	requested  bool
	stopReason string
	deadline   time.Time
	killTimer  *time.Timer
	interrupts int
	killed     bool
	exitCode   int
	cronJobs   []cron.Job
	controls   chan Control
	keyboard   keyboard
	done       chan struct{}
	started    time.Time
	// A reload's parse runs off the loop and delivers on reloaded;
	// parseAgain is a request that came while it ran.
	reloaded   chan reloadResult
	parsing    bool
	parseAgain *ReloadRequest
}

type instance struct {
	spec         InstanceSpec
	child        *proc.Child
	running      bool
	lastStatus   proc.ExitStatus
	quickCrashes int
	backoff      time.Duration
	restartTimer *time.Timer
	// retiring: stopped by a reload; next is what starts after it exits
	// (nil: it is removed).
	retiring bool
	next     *InstanceSpec
	removed  bool
	// userStopped: stopped through the control socket; it stays listed
	// and can be started again.
	userStopped bool
	// waiting: exited under --watch; it starts again at the next change.
	waiting bool
	// restarts and exits count since tend started; since is when the
	// current state began.
	restarts, exits int
	since           time.Time
	// health follows its health checks while it runs (nil: none);
	// healthRestarts counts restarts for a failed liveness check.
	health         *instanceHealth
	healthRestarts int
	// held: --after keeps it from starting until its types are up.
	held bool
	// console is the terminal of the running child (--tty; else nil).
	console *console.Console
}

type event struct {
	inst    *instance
	child   *proc.Child
	status  proc.ExitStatus
	restart bool
	// cronIdle says a cron run ended (the drain may be complete).
	cronIdle bool
	// health is what the instance's health Monitor saw.
	health *health.Event
}

// NewSupervisor prepares cfg to run.
func NewSupervisor(cfg Config) *Supervisor {
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	s := &Supervisor{cfg: cfg, events: make(chan event, 16), controls: make(chan Control), done: make(chan struct{}), started: time.Now()}
	s.reloaded = make(chan reloadResult)
	for _, spec := range cfg.Instances {
		s.instances = append(s.instances, &instance{spec: spec, backoff: cfg.Backoff.Min})
	}
	if cfg.Cron != nil {
		cc := *cfg.Cron
		cc.OnFailure = func(f cron.Failure) { cfg.OnFailure.Fire(Failure(f)) }
		s.cron = cron.New(cc, s.cronIdle)
		s.cronJobs = cc.Jobs
	}
	return s
}

// Cron is the scheduler of Config.Cron (nil without one), for `tend cron
// run` and the status.
func (s *Supervisor) Cron() *cron.Scheduler { return s.cron }

// Run starts every instance and supervises them until the formation stops:
// a process exits (unless it may or is restarted), a stop signal arrives or
// ctx is done. It returns tend's exit code: the exited process's status (1
// if it exited 0), or after a requested stop 0, or 137 if something had to
// be killed.
func (s *Supervisor) Run(ctx context.Context) int {
	sigs := s.cfg.Signals
	if sigs == nil {
		caught := make(chan os.Signal, 32)
		proc.Notify(caught, proc.HandledSignals(s.cfg.Terminal)...)
		defer proc.StopNotify(caught)
		sigs = caught
	}
	defer close(s.done)
	if s.cfg.Keyboard != nil {
		go s.keyboard.forward(s.cfg.Keyboard)
	}
	for _, inst := range s.instances {
		if s.draining {
			break
		}
		if !s.depsUp(inst.spec.Type) {
			inst.held = true
			continue
		}
		s.start(inst)
	}
	if s.cron != nil && !s.draining {
		s.cron.Start()
	}
	s.loop(ctx.Done(), sigs)
	for _, inst := range s.instances {
		inst.stopHealth()
	}
	if s.cron != nil {
		s.cron.Wait()
	}
	// Failure hooks belong to tend's lifetime too: they get what is left
	// of -t (a hook alerting about the failure that ends tend must run).
	s.cfg.OnFailure.Wait(s.deadline)
	s.stopLeftovers()
	s.waitOutput()
	if s.requested && s.killed {
		return 137
	}
	return s.exitCode
}

// loop is the supervisor's goroutine: it handles one event at a time until
// nothing runs or waits to restart.
func (s *Supervisor) loop(ctxDone <-chan struct{}, sigs <-chan os.Signal) {
	broken := s.cfg.Output.Broken()
	for !s.finished() {
		var killC <-chan time.Time
		if s.killTimer != nil {
			killC = s.killTimer.C
		}
		select {
		case ev := <-s.events:
			s.handle(ev)
		case sig := <-sigs:
			s.onSignal(sig.(syscall.Signal))
		case <-killC:
			s.killTimer = nil
			s.killAll("timeout")
		case <-ctxDone:
			ctxDone = nil
			s.requestStop(0)
		case req := <-s.cfg.Reloads:
			s.reload(req)
		case r := <-s.reloaded:
			s.reloadDone(r)
		case c := <-s.controls:
			s.control(c)
		case <-broken:
			broken = nil
			s.outputClosed()
		}
	}
}

// finished reports whether nothing runs or waits to restart.
func (s *Supervisor) finished() bool {
	for _, inst := range s.instances {
		if inst.running || inst.restartTimer != nil || (inst.userStopped || inst.waiting || inst.held) && !s.draining {
			return false
		}
	}
	if s.cron != nil && (!s.draining || s.cron.Running() > 0) {
		return false // the scheduler keeps tend up; its runs are drained too
	}
	if !s.draining {
		// Everything that was allowed to die has died.
		s.draining = true
		s.stopReason = "all processes exited"
		s.exitCode = s.lastExitCode()
		s.deadline = time.Now().Add(s.cfg.Timeout)
	}
	return true
}

func (s *Supervisor) lastExitCode() int {
	code := 0
	for _, inst := range s.instances {
		if c := inst.lastStatus.ExitCode(); c != 0 {
			code = c
		}
	}
	return code
}

func (s *Supervisor) start(inst *instance) {
	inst.restartTimer = nil
	inst.waiting, inst.held = false, false
	path, args := proc.ShellCommand(inst.spec.Command)
	hold := s.cfg.Output.HoldOutput(inst.spec.Name) // its output comes after the started line
	child, err := s.startChild(inst, proc.Command{
		Path: path, Args: args, Env: inst.spec.Env, Dir: s.cfg.Dir, NewGroup: true,
	})
	if err != nil {
		// As a shell would: 127 not found, 126 not executable.
		code := 1
		var se *proc.StartError
		if errors.As(err, &se) {
			code = se.ExitCode
		}
		hold.Release()
		s.cfg.Output.Errorf("%s failed to start: %v", inst.spec.Name, err)
		inst.lastStatus = proc.ExitStatus{Code: code}
		s.cfg.Output.Printf("%s %s", inst.spec.Name, inst.lastStatus)
		s.exited(inst, inst.lastStatus, 0, nil)
		return
	}
	if inst.child != nil {
		inst.restarts++
	}
	inst.child = child
	inst.running = true
	inst.since = time.Now()
	hold.Printf("%s started with pid %d (port %d)", inst.spec.Name, child.Pid, inst.spec.Port)
	s.watchHealth(inst, child, false)
	s.startHeld() // a type without checks is up once it runs
	go func() {
		st := child.Wait()
		s.events <- event{inst: inst, child: child, status: st}
	}()
}

func (s *Supervisor) handle(ev event) {
	if ev.cronIdle {
		return // finished() looks at the scheduler again
	}
	if ev.restart {
		if !s.draining && ev.inst.restartTimer != nil {
			s.start(ev.inst)
		}
		return
	}
	if ev.health != nil {
		s.onHealth(ev)
		return
	}
	inst := ev.inst
	if inst.child != ev.child {
		return
	}
	inst.stopHealth()
	inst.running = false
	inst.lastStatus = ev.status
	inst.exits++
	inst.since = time.Now()
	// Logged after the last line the process wrote, without waiting here.
	s.cfg.Output.PrintfAfter(inst.spec.Name, ev.child.OutputDone(), "%s %s", inst.spec.Name, ev.status)
	if inst.retiring {
		s.retired(inst)
		return
	}
	decide := ev.status
	if inst.healthFailed() && decide.Success() {
		decide = proc.ExitStatus{Code: 1} // stopped for a failed startup check: a crash
	}
	s.exited(inst, decide, time.Since(ev.child.Started), ev.child.OutputDone())
}

// exited decides what an instance's exit on its own means. output is closed
// once the instance's output has been copied.
func (s *Supervisor) exited(inst *instance, st proc.ExitStatus, ran time.Duration, output <-chan struct{}) {
	if !s.draining && !st.Success() {
		s.cfg.OnFailure.Fire(Failure{Process: inst.spec.Name, Status: st, Duration: ran, OutputDone: output})
	}
	switch {
	case s.draining:
	case inst.spec.CanDie:
	case s.cfg.Restart:
		s.scheduleRestart(inst, st, ran)
	case s.cfg.KeepWatching:
		inst.waiting = true
		s.cfg.Output.Printf("%s %s; the rest keeps running, and it starts again at the next change (--watch)", inst.spec.Name, st)
	default:
		code := st.ExitCode()
		if code == 0 {
			code = 1 // a process meant to run has stopped: a failure for the platform
		}
		s.drain(fmt.Sprintf("%s %s", inst.spec.Name, st), code)
	}
}

func (s *Supervisor) scheduleRestart(inst *instance, st proc.ExitStatus, ran time.Duration) {
	b := s.cfg.Backoff
	if ran >= b.Healthy {
		inst.quickCrashes = 0
		inst.backoff = b.Min
	}
	inst.quickCrashes++
	if inst.quickCrashes >= b.GiveUp {
		s.cfg.Output.Errorf("%s stopped %d times in a row within %v; giving up", inst.spec.Name, inst.quickCrashes, b.Healthy)
		s.drain(fmt.Sprintf("%s keeps crashing", inst.spec.Name), st.ExitCode())
		return
	}
	delay := inst.backoff
	inst.backoff = min(inst.backoff*2, b.Max)
	s.cfg.Output.Printf("restarting %s in %v", inst.spec.Name, delay)
	inst.restartTimer = time.AfterFunc(delay, func() { s.events <- event{inst: inst, restart: true} })
}
