package runner

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/procfs"
)

// StopRequested reports, once Run has returned, whether a stop signal or
// ctx ended the run rather than the processes themselves.
func (s *Supervisor) StopRequested() bool { return s.requested }

// drain starts the graceful stop: no more restarts, the stop signal to
// every group, and SIGKILL when the timeout has passed. It runs once.
func (s *Supervisor) drain(reason string, code int) {
	if s.draining {
		return
	}
	s.draining = true
	s.stopReason = reason
	s.exitCode = code
	s.deadline = time.Now().Add(s.cfg.Timeout)
	s.killTimer = time.NewTimer(s.cfg.Timeout)
	var signals []string
	for _, inst := range s.instances {
		inst.cancelRestart()
		inst.Next = nil // a restart in progress does not start again
		inst.stopLife()
		if inst.child == nil {
			continue
		}
		// Exited instances too: their background jobs share the group.
		_ = inst.child.Signal(inst.Spec.StopSignal, !inst.Spec.LeaderOnly || !inst.Running)
		if inst.Running {
			signals = append(signals, fmt.Sprintf("%s %s", inst.Spec.Name, proc.SignalName(inst.Spec.StopSignal)))
		}
	}
	if s.cron != nil {
		if n := s.cron.Running(); n > 0 {
			signals = append(signals, fmt.Sprintf("%d cron runs", n))
		}
		s.cron.Drain()
	}
	if len(signals) > 0 {
		s.cfg.Output.Printf("stopping (%s): %s; SIGKILL in %v", reason, strings.Join(signals, ", "), s.cfg.Timeout)
	}
}

// cronIdle tells the supervisor that a cron run ended (the scheduler's
// onIdle).
func (s *Supervisor) cronIdle() {
	select {
	case s.events <- event{cronIdle: true}:
	default: // events are pending already; the loop looks again anyway
	}
}

// killAll SIGKILLs every group that is left.
func (s *Supervisor) killAll(why string) {
	if s.killTimer != nil {
		s.killTimer.Stop()
		s.killTimer = nil
	}
	s.deadline = time.Now()
	for _, inst := range s.instances {
		if inst.child == nil {
			continue
		}
		if inst.Running {
			s.killed = true
			s.cfg.Output.Errorf("%s still running after %s: sending SIGKILL", inst.Spec.Name, why)
		}
		_ = inst.child.Signal(syscall.SIGKILL, true)
	}
	if s.cron != nil {
		if n := s.cron.KillAll(); n > 0 {
			s.killed = true
			s.cfg.Output.Errorf("%d cron runs still running after %s: sending SIGKILL", n, why)
		}
	}
}

// stopLeftovers removes what the instances left behind: members of their
// groups and descendants that escaped with setsid, within what is left of
// the grace period.
func (s *Supervisor) stopLeftovers() {
	grace := time.Until(s.deadline)
	found, killed := s.cfg.Reaper.StopLeftovers(syscall.SIGTERM, max(grace, 0))
	live := procfs.LiveAmong(s.groups(func(*instance) bool { return true })) // /proc is read at most once, and only if a group remains
	for _, inst := range s.instances {
		if inst.child != nil && live[inst.child.Pid] {
			killed = true
			_ = inst.child.Signal(syscall.SIGKILL, true)
		}
	}
	if found > 0 {
		s.cfg.Output.Printf("stopped %d leftover processes", found)
	}
	if killed {
		s.killed = true
	}
}

// waitOutput waits until every output pipe is drained and tend's own lines
// are written, within the drain's deadline if the log reader stalls.
func (s *Supervisor) waitOutput() {
	s.cfg.Output.Drain(s.deadline)
}

// outputClosed handles EPIPE on tend's stdout or stderr (`tend start |
// head`): the reader is gone, so tend stops as for SIGTERM, with exit code
// 141 (128+SIGPIPE, what the shell expects of a writer whose pipe closed)
// unless a process had already failed.
func (s *Supervisor) outputClosed() {
	s.cfg.Output.Errorf("%s was closed (its reader went away): stopping; output to it is discarded", s.cfg.Output.BrokenStream())
	s.drain("output closed", 128+int(syscall.SIGPIPE))
}
