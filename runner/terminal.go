package runner

import (
	"fmt"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spawn"
	"github.com/tend-run/tend/status"
)

// startChild starts an instance's child: on pipes, or on a terminal of its
// own when its type is in --tty.
func (s *Supervisor) startChild(inst *instance, cmd proc.Command) (*proc.Child, *output.Pipes, error) {
	inst.console = nil
	if !inst.Spec.Terminal {
		return spawn.StartPiped(s.cfg.Reaper, s.cfg.Output, inst.Spec.Name, cmd, nil)
	}
	child, con, p, err := spawn.StartTerminal(s.cfg.Reaper, s.cfg.Output, inst.Spec.Name, cmd, s.cfg.Keyboard)
	if err != nil {
		return nil, nil, err
	}
	inst.console = con
	s.keyboard.To(con)
	return child, p, nil
}

// Attach connects a `tend attach` session to the instance target names:
// an instance ("web.1"), or a type that has one.
func (s *Supervisor) Attach(target string) (*console.Session, string, error) {
	r := s.ask(status.OpAttach, target)
	if r.err != nil {
		return nil, "", r.err
	}
	session, err := r.console.Attach()
	return session, r.name, err
}

// attachable finds the console of the instance target names, in the
// supervisor's goroutine.
func (s *Supervisor) attachable(target string) (*console.Console, string, error) {
	matched, err := s.match(target)
	if err != nil {
		return nil, "", err
	}
	if err := lifecycle.Attachable(target, members(matched)); err != nil {
		return nil, "", err
	}
	inst := matched[0]
	if inst.console == nil {
		return nil, "", fmt.Errorf("%s is not running", inst.Spec.Name)
	}
	return inst.console, inst.Spec.Name, nil
}
