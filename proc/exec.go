package proc

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/tend-run/tend/procfs"
)

// ExecConfig describes one command run tini-style: its stdio is tend's,
// tend forwards signals to it and exits with its status.
type ExecConfig struct {
	// Command to run; its Stdin, Stdout and Stderr are set to tend's own.
	Command Command
	// StopSignal is what a SIGTERM to tend becomes (the per-type setting).
	StopSignal syscall.Signal
	// LeaderOnly sends signals to the child alone rather than its group.
	LeaderOnly bool
	// Timeout is the grace between the stop signal and SIGKILL.
	Timeout time.Duration
	// MaxRun, if set, bounds the run: then it gets the stop signal, the
	// grace and SIGKILL (cron jobs' --cron-timeout).
	MaxRun time.Duration
	// Terminal says stdin is a terminal: the child's group becomes the
	// foreground group if tend's is, and Ctrl-Z stops both (job control).
	Terminal bool
	// ContainerInit says tend is PID 1 or the child of Docker's init: what
	// the command leaves behind is stopped before tend exits. On a laptop
	// it is left alone (an ssh-agent started from a shell must survive).
	ContainerInit bool
	Reaper        *Reaper
	// Errors receives tend's own messages (normally stderr).
	Errors io.Writer
	// Signals, if set, are the signals Exec acts on, as if tend had
	// received them (tests); nil: it catches every signal it can.
	Signals <-chan os.Signal
	// ExitAfter says tend exits when Exec returns: the signals it caught
	// stay caught (a signal then is dropped, and tend still exits with the
	// command's status). Giving sixty signals back to the runtime goes
	// one round trip at a time and slowed exec mode's exit by about 1 ms
	// (`tend -- /bin/true`, hyperfine medians) even in the background.
	ExitAfter bool
}

// Exec runs the command and returns the exit code tend should exit with:
// the command's status, 128+n if a signal killed it, 127 if it was not
// found and 126 if it could not be executed.
//
// Every signal tend can catch is passed on to the command (see
// catchableSignals), SIGTERM as the stop signal with the grace and SIGKILL
// after it. On a terminal the command's group gets the foreground if tend
// has it, and job control works as in a shell: when the command stops
// (Ctrl-Z), tend takes the terminal back and stops too, and when tend is
// continued it hands the terminal back and continues the command.
func Exec(cfg ExecConfig) int {
	sigs := cfg.Signals
	if sigs == nil {
		caught := make(chan os.Signal, 32)
		Notify(caught, catchableSignals()...)
		if !cfg.ExitAfter {
			defer StopNotifyLater(caught)
		}
		sigs = caught
	}

	cmd := cfg.Command
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.NewGroup = true
	cmd.Foreground = cfg.Terminal && inForeground()
	child, err := cfg.Reaper.Start(cmd)
	if err != nil {
		if se, ok := err.(*StartError); ok {
			fmt.Fprintf(cfg.Errors, "tend: %v\n", se)
			return se.ExitCode
		}
		fmt.Fprintf(cfg.Errors, "tend: start %s: %v\n", cmd.Path, err)
		return 1
	}
	e := &execution{cfg: cfg, child: child, group: !cfg.LeaderOnly, foreground: cmd.Foreground}
	if cfg.MaxRun > 0 {
		e.maxRunC = time.After(cfg.MaxRun)
	}
	e.deadline = time.Now().Add(cfg.Timeout)
	for !child.Exited() {
		select {
		case <-child.Done():
		case <-child.Stopped():
			e.childStopped()
		case s := <-sigs:
			e.onSignal(s.(syscall.Signal))
		case <-e.maxRunC:
			fmt.Fprintf(cfg.Errors, "tend: timed out after %v: sending %s\n", cfg.MaxRun, SignalName(cfg.StopSignal))
			e.stop()
		case <-e.killC:
			fmt.Fprintf(cfg.Errors, "tend: still running %v after %s: sending SIGKILL\n", cfg.Timeout, SignalName(cfg.StopSignal))
			_ = child.Signal(syscall.SIGKILL, true)
		}
	}
	status := child.Wait()
	if cfg.Terminal {
		reclaimTerminal(child)
	}
	if cfg.ContainerInit {
		if !e.stopping {
			e.deadline = time.Now().Add(cfg.Timeout)
		}
		_ = child.Signal(syscall.SIGTERM, true)
		cfg.Reaper.StopLeftovers(syscall.SIGTERM, max(time.Until(e.deadline), 0))
		if procfs.GroupAlive(child.Pid) {
			_ = child.Signal(syscall.SIGKILL, true)
		}
	}
	return status.ExitCode()
}

// execution is the state of one Exec.
type execution struct {
	cfg        ExecConfig
	child      *Child
	group      bool // signal the child's group, not the child alone
	foreground bool // the child's group was given the terminal
	stopping   bool
	deadline   time.Time
	killC      <-chan time.Time
	maxRunC    <-chan time.Time
}

// stop sends the stop signal once and arms SIGKILL after the grace.
func (e *execution) stop() {
	if e.stopping {
		return // a repeated SIGTERM changes nothing
	}
	e.stopping = true
	e.deadline = time.Now().Add(e.cfg.Timeout)
	e.killC = time.After(e.cfg.Timeout)
	_ = e.child.Signal(e.cfg.StopSignal, e.group)
}

func (e *execution) onSignal(sig syscall.Signal) {
	switch {
	case sig == syscall.SIGTERM:
		e.stop()
	case sig == syscall.SIGWINCH && e.foreground:
		// The child's group has the terminal: the kernel told it already.
	case isJobControl(sig):
		_ = e.child.Signal(sig, e.group)
		if !e.foreground && canSuspend() {
			// With the terminal the child's stop (Stopped) suspends tend;
			// without it, tend follows the child as a shell job would.
			stopSelf()
		}
	case sig == syscall.SIGCONT:
		if e.foreground && inForeground() {
			giveTerminal(e.child.Pid) // `fg`: the child reads the keyboard again
		}
		_ = e.child.Signal(sig, e.group)
	default:
		_ = e.child.Signal(sig, e.group)
	}
}

// childStopped follows the foreground child's stop: tend takes the terminal
// back and stops itself, so that its shell sees the job stopped and prints
// its prompt. `fg` continues tend, and onSignal(SIGCONT) the child. Where
// tend cannot stop (PID 1, or no terminal to come back to), the child is
// continued at once, since nothing else would ever continue it.
func (e *execution) childStopped() {
	if !e.foreground {
		return
	}
	if !canSuspend() {
		_ = e.child.Signal(syscall.SIGCONT, e.group)
		return
	}
	reclaimTerminal(e.child)
	stopSelf()
}
