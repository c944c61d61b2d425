package runner

import (
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
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

// Failure describes what failed.
type Failure struct {
	// Process is the instance ("worker.1") or the cron run ("cron.ab12cd34").
	Process string
	// JobID is set for cron runs.
	JobID    string
	Status   proc.ExitStatus
	Duration time.Duration
	// OutputDone, if not nil, is closed once the failed process's output
	// has been copied: the hook waits for it (up to outputWaitLimit) so
	// that TEND_OUTPUT_TAIL holds its last lines.
	OutputDone <-chan struct{}
}

// outputWaitLimit bounds the wait for a failed process's last output: a
// background process it left may hold its pipes open.
const outputWaitLimit = 2 * time.Second

// Fire starts the hook for f without waiting for it. Its own failure is
// logged, never fatal. A nil Hook does nothing.
func (h *Hook) Fire(f Failure) {
	if h == nil || h.Command == "" {
		return
	}
	h.init()
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
		h.run(f)
	}()
}

// run starts the hook and watches it until it has exited.
func (h *Hook) run(f Failure) {
	env := WithEnv(h.Env,
		"TEND_PROCESS="+f.Process,
		"TEND_JOB_ID="+f.JobID,
		"TEND_EXIT_CODE="+strconv.Itoa(f.Status.ExitCode()),
		"TEND_DURATION="+fmt.Sprintf("%.3f", f.Duration.Seconds()),
		"TEND_OUTPUT_TAIL="+h.Output.Tail(f.Process),
	)
	path, args := proc.ShellCommand(h.Command)
	child, pipes, err := startPiped(h.Reaper, h.Output, "on-failure", proc.Command{Path: path, Args: args, Env: env, Dir: h.Dir, NewGroup: true}, nil)
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
