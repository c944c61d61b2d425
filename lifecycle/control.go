package lifecycle

import (
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
