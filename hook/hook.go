// Package hook runs --on-failure: a command started, off the caller's
// goroutine, when a formation's process or a cron run fails on its own, when
// tend gives up on a type, or when a hooked failure has recovered. It
// throttles per type or job (--on-failure-every), and owns its hook children
// until they have exited and their output is copied.
package hook

import (
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spawn"
)

// hookStopGrace is how long a hook that must stop (its time limit passed,
// or tend's drain deadline) has between SIGTERM and SIGKILL. It is short:
// at the drain deadline the whole -t has already been given.
const hookStopGrace = time.Second

// Hook runs --on-failure: a command started when a process or a cron run
// fails on its own (never for a stop tend asked for). Hooks run alongside
// the formation; the supervisor waits for them before it exits (Wait), so
// their output is copied through tend's to the end and nothing a hook
// started outlives tend.
type Hook struct {
	Command string
	// Env is the app's environment; the failure's variables are added.
	Env     []string
	Dir     string
	Timeout time.Duration
	Reaper  *proc.Reaper
	Output  *output.Mux
	// Every is --on-failure-every: after a hook for a process type or a
	// cron job, its further failures within Every are counted, not hooked
	// (0: every failure is hooked).
	Every time.Duration

	mu       sync.Mutex
	throttle map[string]*throttle

	once sync.Once
	runs sync.WaitGroup // from Fire until the hook has exited and its output is copied (or it was not started)
	// stopping is closed at tend's drain deadline: hooks still running get
	// SIGTERM then SIGKILL, pending ones are not started. killing is closed
	// when tend kills everything at once.
	stopping, killing  chan struct{}
	stopOnce, killOnce sync.Once
}

func (h *Hook) init() {
	h.once.Do(func() {
		h.stopping = make(chan struct{})
		h.killing = make(chan struct{})
	})
}

// The events of the hook (TEND_EVENT).
const (
	// EventFailed: a process or cron run failed on its own, or an instance
	// failed its liveness check.
	EventFailed = "failed"
	// EventGaveUp: tend gave up restarting a process type.
	EventGaveUp = "gave-up"
	// EventRecovered: the first successful run after a hooked failure.
	EventRecovered = "recovered"
)

// Failure describes what failed.
type Failure struct {
	// Process is the instance ("worker.1") or the cron run ("cron.ab12cd34").
	Process string
	// Type is the instance's process type (empty for cron runs).
	Type string
	// JobID is set for cron runs.
	JobID string
	// Event is EventFailed (the default), EventGaveUp or EventRecovered.
	Event string
	// Reason says why it failed when it did not exit on its own:
	// "liveness" (TEND_REASON).
	Reason   string
	Status   proc.ExitStatus
	Duration time.Duration
	// Tail, if not nil, gives the failed run's own output for
	// TEND_OUTPUT_TAIL (else the name's recent output is used).
	Tail func() string
	// OutputDone, if not nil, is closed once the failed process's output
	// has been copied: the hook waits for it (up to outputWaitLimit) so
	// that TEND_OUTPUT_TAIL holds its last lines.
	OutputDone <-chan struct{}
}

// outputWaitLimit bounds the wait for a failed process's last output: a
// background process it left may hold its pipes open.
const outputWaitLimit = 2 * time.Second

// throttle is the hook's memory of one process type or cron job.
type throttle struct {
	// last is when its last failure or give-up hook fired (zero after a
	// recovery); counted are the failures since.
	last    time.Time
	counted int
	// hooked: a failure was hooked and no recovery since.
	hooked bool
	// quiet: said that further failures are counted, this window.
	quiet bool
}

// key is what f is throttled by: the cron job or the process type.
func (f Failure) key() string {
	if f.JobID != "" {
		return "cron " + f.JobID
	}
	if f.Type != "" {
		return f.Type
	}
	return f.Process
}

// Fire starts the hook for f without waiting for it, unless throttled: a
// failure within Every of the hook for the same type or job is counted
// for the next hook (TEND_FAILURES); a recovery fires only after a hooked
// failure; a give-up always fires. Its own failure is logged, never fatal.
// A nil Hook does nothing.
func (h *Hook) Fire(f Failure) {
	if h == nil || h.Command == "" {
		return
	}
	h.init()
	failures, ok := h.admit(&f)
	if !ok {
		return
	}
	h.start(f, failures)
}

// admit decides whether f fires, and with how many failures.
func (h *Hook) admit(f *Failure) (int, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.throttle == nil {
		h.throttle = map[string]*throttle{}
	}
	key := f.key()
	t := h.throttle[key]
	if t == nil {
		t = &throttle{}
		h.throttle[key] = t
	}
	now := time.Now()
	switch f.Event {
	case EventRecovered:
		if !t.hooked {
			return 0, false
		}
		// The next failure is a first one again: it fires at once.
		n := t.counted
		t.counted, t.last, t.quiet, t.hooked = 0, time.Time{}, false, false
		return n, true
	case EventGaveUp:
		t.hooked = true
	default:
		f.Event = EventFailed
		t.counted++
		if !t.last.IsZero() && now.Sub(t.last) < h.Every {
			if !t.quiet {
				t.quiet = true
				h.Output.Errorf("on-failure: further failures of %s within %v are counted, not reported (--on-failure-every)", key, h.Every)
			}
			return 0, false
		}
		t.hooked = true
	}
	n := t.counted
	t.counted, t.last, t.quiet = 0, now, false
	return n, true
}

// Hooked reports whether key's last hook was a failure not yet followed
// by a recovery, so a successful run is worth telling (a nil Hook: false).
func (h *Hook) Hooked(typ string) bool {
	if h == nil || h.Command == "" {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.throttle[typ]
	return t != nil && t.hooked
}

// start runs the hook for f off the caller's goroutine.
func (h *Hook) start(f Failure, failures int) {
	h.runs.Add(1)
	go func() {
		defer h.runs.Done()
		if f.OutputDone != nil {
			select {
			case <-f.OutputDone:
			case <-time.After(outputWaitLimit):
			case <-h.stopping:
			}
		}
		select {
		case <-h.stopping:
			h.Output.Errorf("on-failure hook for %s not run: tend is stopping", f.Process)
			return
		default:
		}
		h.run(f, failures)
	}()
}

// run starts the hook and watches it until it has exited.
func (h *Hook) run(f Failure, failures int) {
	code := strconv.Itoa(f.Status.ExitCode())
	if f.Reason != "" || f.Event == EventRecovered {
		code = "" // it did not exit (liveness), or is running (recovered)
	}
	tail := h.Output.Tail(f.Process)
	if f.Tail != nil {
		tail = f.Tail()
	}
	env := spawn.WithEnv(h.Env,
		"TEND_PROCESS="+f.Process,
		"TEND_JOB_ID="+f.JobID,
		"TEND_EVENT="+f.Event,
		"TEND_REASON="+f.Reason,
		"TEND_FAILURES="+strconv.Itoa(failures),
		"TEND_EXIT_CODE="+code,
		"TEND_DURATION="+fmt.Sprintf("%.3f", f.Duration.Seconds()),
		"TEND_OUTPUT_TAIL="+tail,
	)
	path, args := proc.ShellCommand(h.Command)
	child, pipes, err := spawn.StartPiped(h.Reaper, h.Output, "on-failure", proc.Command{Path: path, Args: args, Env: env, Dir: h.Dir, NewGroup: true}, nil)
	if err != nil {
		h.Output.Errorf("on-failure hook for %s failed to start: %v", f.Process, err)
		return
	}
	limit := time.NewTimer(h.Timeout)
	defer limit.Stop()
	select {
	case <-child.Done():
	case <-limit.C:
		h.Output.Errorf("on-failure hook for %s still running after %v: stopping it", f.Process, h.Timeout)
		h.stop(child)
	case <-h.stopping:
		h.Output.Errorf("on-failure hook for %s still running at tend's stop deadline: stopping it", f.Process)
		h.stop(child)
	case <-h.killing:
		_ = child.Signal(syscall.SIGKILL, true)
	}
	if st := child.Wait(); !st.Success() {
		h.Output.Errorf("on-failure hook for %s %s", f.Process, st)
	}
	// Whatever the hook left in its group goes with it.
	_ = child.Signal(syscall.SIGKILL, true)
	select {
	case <-child.OutputDone():
	case <-time.After(output.Grace):
		h.Output.Errorf("an on-failure hook's output pipe is still held open by a process tend cannot reach; not waiting for it")
		pipes.Abandon() // said once, here; tend's last Drain does not wait for it again
	}
}

// stop sends the hook's group SIGTERM, then SIGKILL after hookStopGrace.
func (h *Hook) stop(child *proc.Child) {
	grace := time.NewTimer(hookStopGrace)
	defer grace.Stop()
	proc.Stop(child, syscall.SIGTERM, true, grace.C, h.killing)
}

// Wait waits for every hook fired so far, up to deadline; then the ones
// still running are stopped (SIGTERM, then SIGKILL) and the ones not yet
// started are dropped. It returns once the hooks have exited and their
// output has been copied (bounded by output.Grace for pipes a hook's escaped
// descendant holds). A nil Hook returns at once.
func (h *Hook) Wait(deadline time.Time) {
	if h == nil || h.Command == "" {
		return
	}
	h.init()
	done := make(chan struct{})
	go func() { h.runs.Wait(); close(done) }()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		h.stopOnce.Do(func() { close(h.stopping) })
		<-done
	}
}

// Kill SIGKILLs running hooks at once and drops pending ones (a second
// Ctrl-C). It does not wait.
func (h *Hook) Kill() {
	if h == nil || h.Command == "" {
		return
	}
	h.init()
	h.stopOnce.Do(func() { close(h.stopping) })
	h.killOnce.Do(func() { close(h.killing) })
}

// ForCron sets cc's OnFailure and OnSuccess to fire h: for a failed run,
// and for the first success after a hooked failure (a nil Hook: nothing).
func (h *Hook) ForCron(cc *cron.Config) {
	cc.OnFailure = func(f cron.Failure) { h.Fire(fromCron(f)) }
	cc.OnSuccess = func(f cron.Failure) {
		rf := fromCron(f)
		rf.Event = EventRecovered
		h.Fire(rf)
	}
}

// fromCron is a cron run's failure as the hook takes it.
func fromCron(f cron.Failure) Failure {
	return Failure{Process: f.Process, JobID: f.JobID, Status: f.Status, Duration: f.Duration, OutputDone: f.OutputDone}
}
