package runner

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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
	// foreground group, and TTIN, TTOU and WINCH are not forwarded.
	Terminal bool
	// ContainerInit says tend is PID 1 or the child of Docker's init: what
	// the command leaves behind is stopped before tend exits. On a laptop
	// it is left alone (an ssh-agent started from a shell must survive).
	ContainerInit bool
	Reaper        *Reaper
	// Errors receives tend's own messages (normally stderr).
	Errors io.Writer
}

// Exec runs the command and returns the exit code tend should exit with:
// the command's status, 128+n if a signal killed it, 127 if it was not
// found and 126 if it could not be executed.
func Exec(cfg ExecConfig) int {
	sigs := make(chan os.Signal, 8)
	handled := []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}
	if !cfg.Terminal {
		handled = append(handled, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGWINCH)
	}
	signal.Notify(sigs, handled...)
	defer signal.Stop(sigs)

	cmd := cfg.Command
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.NewGroup = true
	cmd.Foreground = cfg.Terminal
	child, err := cfg.Reaper.Start(cmd)
	if err != nil {
		if se, ok := err.(*StartError); ok {
			fmt.Fprintf(cfg.Errors, "tend: %v\n", se)
			return se.ExitCode
		}
		fmt.Fprintf(cfg.Errors, "tend: start %s: %v\n", cmd.Path, err)
		return 1
	}
	group := !cfg.LeaderOnly
	var killC, maxRunC <-chan time.Time
	if cfg.MaxRun > 0 {
		maxRunC = time.After(cfg.MaxRun)
	}
	deadline := time.Now().Add(cfg.Timeout)
	stopping := false
	for !child.Exited() {
		select {
		case <-child.Done():
		case s := <-sigs:
			sig := s.(syscall.Signal)
			if sig == syscall.SIGTERM {
				if stopping {
					continue // a repeated SIGTERM changes nothing
				}
				stopping = true
				deadline = time.Now().Add(cfg.Timeout)
				killC = time.After(cfg.Timeout)
				sig = cfg.StopSignal
			}
			_ = child.Signal(sig, group)
		case <-maxRunC:
			fmt.Fprintf(cfg.Errors, "tend: timed out after %v: sending %s\n", cfg.MaxRun, SignalName(cfg.StopSignal))
			stopping = true
			killC = time.After(cfg.Timeout)
			deadline = time.Now().Add(cfg.Timeout)
			_ = child.Signal(cfg.StopSignal, group)
		case <-killC:
			fmt.Fprintf(cfg.Errors, "tend: still running %v after %s: sending SIGKILL\n", cfg.Timeout, SignalName(cfg.StopSignal))
			_ = child.Signal(syscall.SIGKILL, true)
		}
	}
	status := child.Wait()
	if cfg.Terminal {
		reclaimTerminal()
	}
	if cfg.ContainerInit {
		if !stopping {
			deadline = time.Now().Add(cfg.Timeout)
		}
		_ = child.Signal(syscall.SIGTERM, true)
		cfg.Reaper.StopLeftovers(syscall.SIGTERM, max(time.Until(deadline), 0))
		if groupAlive(child.Pid, cfg.Reaper) {
			_ = child.Signal(syscall.SIGKILL, true)
		}
	}
	return status.ExitCode()
}

// reclaimTerminal makes tend's group the terminal's foreground group again.
// tend is then a background process writing to the terminal's settings, so
// SIGTTOU would stop it: ignore it while doing so.
func reclaimTerminal() {
	signal.Ignore(syscall.SIGTTOU)
	defer signal.Reset(syscall.SIGTTOU)
	_ = unix.IoctlSetPointerInt(int(os.Stdin.Fd()), unix.TIOCSPGRP, syscall.Getpgrp())
}
