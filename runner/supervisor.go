package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/spawn"
	"github.com/tend-run/tend/spec"
)

// Config is everything a Supervisor runs.
type Config struct {
	Dir       string
	Instances []spec.Instance
	// Timeout is the grace period between the stop signal and SIGKILL.
	Timeout time.Duration
	// Restart restarts every exited instance instead of stopping
	// everything (spec.Instance.Restart does it per type).
	Restart bool
	// SampleEvery is how often the memory of instances with a MaxMemory is
	// sampled (0: DefaultSampleEvery).
	SampleEvery time.Duration
	// KeepWatching (--watch) keeps the rest running when an instance exits:
	// it waits for the next change of the files and starts again then.
	KeepWatching bool
	// Backoff is the restart policy (zero: DefaultBackoff).
	Backoff lifecycle.Backoff
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
	Reloads <-chan spec.ReloadRequest
	Reload  spec.Reloader
	// OnFailure runs when an instance fails on its own (nil: nothing).
	OnFailure *hook.Hook
	// Signals, if set, are the signals Run acts on, as if tend had received
	// them (tests send them in-process); nil: Run catches tend's own
	// (proc.HandledSignals) for as long as it runs.
	Signals <-chan os.Signal
	// ExitAfter says tend exits when Run returns (the formation, not the
	// release): the signals Run caught stay caught, as with
	// proc.ExecConfig's ExitAfter, since giving ~60 signals back to Go's
	// runtime costs a round trip each and holds up the reaper's own
	// signal.Stop behind them.
	ExitAfter bool
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
	keyboard   spawn.Keyboard
	done       chan struct{}
	started    time.Time
	// A reload's parse runs off the loop and delivers on reloaded;
	// parseAgain is a request that came while it ran.
	reloaded   chan reloadResult
	parsing    bool
	parseAgain *spec.ReloadRequest
	// sampling: a memory sample is being taken; usageCache is the
	// snapshot's.
	sampling   bool
	usageCache lifecycle.UsageCache
}

// event is what the loop hears from the goroutines it started: a child's
// exit, a timer, a Monitor's verdict, a sample.
type event struct {
	inst    *instance
	child   *proc.Child
	status  proc.ExitStatus
	restart bool
	// cronIdle says a cron run ended (the drain may be complete).
	cronIdle bool
	// health is what the instance's health Monitor saw.
	health *health.Event
	// aged: the instance's --max-age is up; recovered: it has run
	// --on-failure-every since a hooked failure.
	aged, recovered bool
	// usage is a memory sample (by group); sampled says it is one.
	usage   map[int]procfs.Usage
	sampled bool
}

// NewSupervisor prepares cfg to run.
func NewSupervisor(cfg Config) *Supervisor {
	cfg.Backoff = cfg.Backoff.WithDefaults()
	cfg.SampleEvery = cmp.Or(cfg.SampleEvery, lifecycle.DefaultSampleEvery)
	s := &Supervisor{cfg: cfg, events: make(chan event, 16), controls: make(chan Control), done: make(chan struct{}), started: time.Now()}
	s.reloaded = make(chan reloadResult)
	for _, spec := range cfg.Instances {
		s.instances = append(s.instances, &instance{Member: lifecycle.NewMember(spec, cfg.Backoff)})
	}
	if cfg.Cron != nil {
		cc := *cfg.Cron
		cfg.OnFailure.ForCron(&cc)
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
		if !s.cfg.ExitAfter {
			defer proc.StopNotifyLater(caught)
		}
		sigs = caught
	}
	defer close(s.done)
	if s.cfg.Keyboard != nil {
		go s.keyboard.Forward(s.cfg.Keyboard)
	}
	for _, inst := range s.instances {
		if s.draining {
			break
		}
		if !s.depsUp(inst) {
			inst.Held = true
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
	sampler := time.NewTicker(s.cfg.SampleEvery)
	defer sampler.Stop()
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
		case <-sampler.C:
			s.sample()
		}
		s.roll()
	}
}

// finished reports whether nothing runs or waits to restart.
func (s *Supervisor) finished() bool {
	for _, inst := range s.instances {
		if inst.KeepsTendUp(s.draining) {
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
		s.exitCode = lifecycle.LastExitCode(members(s.instances))
		s.deadline = time.Now().Add(s.cfg.Timeout)
	}
	return true
}

func (s *Supervisor) start(inst *instance) {
	inst.cancelRestart()
	inst.Starting()
	path, args := proc.ShellCommand(inst.Spec.Command)
	hold := s.cfg.Output.HoldOutput(inst.Spec.Name) // its output comes after the started line
	child, pipes, err := s.startChild(inst, proc.Command{
		Path: path, Args: args, Env: inst.Spec.Env, Dir: s.cfg.Dir, NewGroup: true,
	})
	if err != nil {
		// As a shell would: 127 not found, 126 not executable.
		code := 1
		var se *proc.StartError
		if errors.As(err, &se) {
			code = se.ExitCode
		}
		hold.Release()
		inst.pipes = nil
		s.cfg.Output.Errorf("%s failed to start: %v", inst.Spec.Name, err)
		inst.LastStatus = proc.ExitStatus{Code: code}
		s.cfg.Output.Printf("%s %s", inst.Spec.Name, inst.LastStatus)
		s.exited(inst, inst.LastStatus, 0, nil)
		return
	}
	inst.child, inst.pipes = child, pipes
	inst.Started(time.Now())
	hold.Printf("%s started with pid %d (port %d)", inst.Spec.Name, child.Pid, inst.Spec.Port)
	s.watchHealth(inst, child, false)
	s.startedLife(inst, child)
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
		if !s.draining && ev.inst.Restarting {
			s.start(ev.inst)
		}
		return
	}
	if ev.health != nil {
		s.onHealth(ev)
		return
	}
	if ev.aged || ev.recovered || ev.sampled {
		s.onLife(ev)
		return
	}
	inst := ev.inst
	if inst.child != ev.child {
		return
	}
	inst.stopHealth()
	inst.stopLife()
	inst.Exited(ev.status, time.Now())
	ran := time.Since(ev.child.Started)
	decide, recycle, hotLoop := inst.Judged(ev.status, ran, s.cfg.Backoff, s.restarts(inst), s.draining)
	if b := s.cfg.Backoff; hotLoop {
		s.cfg.Output.Errorf("%s exited with status 0 within %v of its start %d times in a row: restarting it with the crash back-off", inst.Spec.Name, b.Quick, b.HotLoop)
	}
	suffix := ""
	if recycle {
		suffix = ": recycled"
	}
	// Logged after the last line the process wrote, without waiting here.
	s.cfg.Output.PrintfAfter(inst.Spec.Name, ev.child.OutputDone(), "%s %s%s", inst.Spec.Name, ev.status, suffix)
	if inst.Retiring {
		s.retired(inst)
		return
	}
	if recycle {
		inst.Life.Count(lifecycle.ReasonExit0)
		s.start(inst)
		return
	}
	s.exited(inst, decide, ran, ev.child.OutputDone())
}

// exited decides what an instance's exit on its own means. output is closed
// once the instance's output has been copied.
func (s *Supervisor) exited(inst *instance, st proc.ExitStatus, ran time.Duration, output <-chan struct{}) {
	if !s.draining && !st.Success() {
		s.cfg.OnFailure.Fire(hook.Failure{Process: inst.Spec.Name, Type: inst.Spec.Type, Status: st, Duration: ran, OutputDone: output, Tail: inst.runTail()})
	}
	switch inst.Outcome(s.draining, s.restarts(inst), s.cfg.KeepWatching) {
	case lifecycle.RestartsLater:
		s.scheduleRestart(inst, st, ran)
	case lifecycle.WaitsForNextChange:
		inst.Waiting = true
		s.cfg.Output.Printf("%s %s; the rest keeps running, and it starts again at the next change (--watch)", inst.Spec.Name, st)
	case lifecycle.StopsTend:
		s.drain(fmt.Sprintf("%s %s", inst.Spec.Name, st), lifecycle.FailureCode(st))
	}
}
