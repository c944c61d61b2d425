package runner

import (
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// tailBytes bounds the output tail kept per process for failure hooks.
const tailBytes = 4 << 10

// Hook runs --on-failure: a command started, detached, when a process or
// a cron run fails on its own (never for a stop tend asked for).
type Hook struct {
	Command string
	// Env is the app's environment; the failure's variables are added.
	Env     []string
	Dir     string
	Timeout time.Duration
	Reaper  *Reaper
	Output  *Mux

	copiers sync.WaitGroup
}

// Failure describes what failed.
type Failure struct {
	// Process is the instance ("worker.1") or the cron run ("cron.ab12cd34").
	Process string
	// JobID is set for cron runs.
	JobID    string
	Status   ExitStatus
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
	if f.OutputDone == nil {
		h.run(f)
		return
	}
	go func() {
		select {
		case <-f.OutputDone:
		case <-time.After(outputWaitLimit):
		}
		h.run(f)
	}()
}

func (h *Hook) run(f Failure) {
	env := WithEnv(h.Env,
		"TEND_PROCESS="+f.Process,
		"TEND_JOB_ID="+f.JobID,
		"TEND_EXIT_CODE="+strconv.Itoa(f.Status.ExitCode()),
		"TEND_DURATION="+fmt.Sprintf("%.3f", f.Duration.Seconds()),
		"TEND_OUTPUT_TAIL="+h.Output.Tail(f.Process),
	)
	path, args := ShellCommand(h.Command)
	child, err := StartPiped(h.Reaper, h.Output, &h.copiers, "on-failure", Command{Path: path, Args: args, Env: env, Dir: h.Dir, NewGroup: true})
	if err != nil {
		h.Output.Errorf("on-failure hook for %s failed to start: %v", f.Process, err)
		return
	}
	go func() {
		select {
		case <-child.Done():
		case <-time.After(h.Timeout):
			h.Output.Errorf("on-failure hook for %s still running after %v: killing it", f.Process, h.Timeout)
			_ = child.Signal(syscall.SIGKILL, true)
		}
		if st := child.Wait(); !st.Success() {
			h.Output.Errorf("on-failure hook for %s %s", f.Process, st)
		}
	}()
}
