package runner

import (
	"syscall"
	"time"

	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
)

func (s *Supervisor) onSignal(sig syscall.Signal) {
	switch sig {
	case syscall.SIGINT:
		s.interrupts++
		if s.interrupts > 1 && s.draining {
			s.cfg.Output.Printf("received SIGINT again: killing all processes")
			s.killAll("second interrupt")
			s.cfg.OnFailure.Kill()
			return
		}
		s.requestStop(sig)
	case syscall.SIGTERM, syscall.SIGQUIT:
		s.requestStop(sig)
	case syscall.SIGHUP:
		if s.cfg.Terminal {
			s.requestStop(sig)
			return
		}
		s.reload(spec.ReloadRequest{Reason: "SIGHUP"})
	case syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
		s.suspend(sig)
	case syscall.SIGCONT:
		s.forward(sig)
		if s.cron != nil {
			s.cron.Signal(sig)
		}
	default:
		s.forward(sig)
	}
}

// suspend is job control for the whole formation (Ctrl-Z): every process
// and cron run gets the signal, then tend stops itself so that its shell
// sees the job stopped; the shell's SIGCONT is passed on the same way.
// Without a terminal to come back to (or as PID 1) the signal is only
// passed on.
func (s *Supervisor) suspend(sig syscall.Signal) {
	s.forward(sig)
	if s.cron != nil {
		s.cron.Signal(sig)
	}
	proc.SuspendSelf()
}

func (s *Supervisor) requestStop(sig syscall.Signal) {
	if s.draining {
		left := time.Until(s.deadline).Round(time.Second)
		s.cfg.Output.Printf("received %s again: still stopping (%v left before SIGKILL)", proc.SignalName(sig), max(left, 0))
		return
	}
	if sig != 0 {
		s.cfg.Output.Printf("received %s", proc.SignalName(sig))
	}
	s.requested = true
	s.drain("stop requested", 0)
}

// forward passes sig on to every running instance.
func (s *Supervisor) forward(sig syscall.Signal) {
	for _, inst := range s.instances {
		if inst.Running {
			_ = inst.child.Signal(sig, !inst.Spec.LeaderOnly)
		}
	}
}
