package lifecycle

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/status"
)

// ControlLine is the line a control operation on target logs (an empty
// target is every instance); rolling: a restart takes one instance of a
// type at a time.
func ControlLine(op, target string, rolling bool) string {
	if target == "" {
		target = "all"
	}
	how := ""
	switch {
	case rolling:
		how = " (rolling: one instance of a type at a time)"
	case op == status.OpRestartAllAtOnce:
		op, how = status.OpRestart, " (all at once)"
	}
	return op + " " + target + " requested through the control socket" + how
}

// FailureCode is tend's exit code when a process that was meant to run
// stops with st: its own, and 1 for an exit 0 (a failure for the
// platform all the same).
func FailureCode(st proc.ExitStatus) int {
	if code := st.ExitCode(); code != 0 {
		return code
	}
	return 1
}

// Attachable says why `tend attach` cannot connect to what target matched
// (nil: it can, to matched[0]): it names one instance, on a terminal of
// its own (--tty), running.
func Attachable(target string, matched []*Member) error {
	if len(matched) == 0 {
		return errors.New("no process to attach to: tend runs none")
	}
	if len(matched) > 1 {
		var names []string
		for _, m := range matched {
			names = append(names, m.Spec.Name)
		}
		return fmt.Errorf("%s names %d instances (%s): attach to one of them", target, len(matched), strings.Join(names, ", "))
	}
	m := matched[0]
	if !m.Spec.Terminal {
		return fmt.Errorf("%s has no terminal to attach to: start tend with --tty %s (or TEND_TTY=%s)", m.Spec.Name, m.Spec.Type, m.Spec.Type)
	}
	if !m.Running {
		return fmt.Errorf("%s is not running", m.Spec.Name)
	}
	return nil
}
