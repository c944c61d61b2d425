package lifecycle

import (
	"syscall"
	"testing"

	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/status"
)

func TestControlLine(t *testing.T) {
	for _, tc := range []struct {
		op, target string
		rolling    bool
		want       string
	}{
		{status.OpStop, "web.1", false, "stop web.1 requested through the control socket"},
		{status.OpStart, "", false, "start all requested through the control socket"},
		{status.OpRestart, "web", true, "restart web requested through the control socket (rolling: one instance of a type at a time)"},
		{status.OpRestartAllAtOnce, "web", false, "restart web requested through the control socket (all at once)"},
		{status.OpRestart, "web.1", false, "restart web.1 requested through the control socket"},
	} {
		if got := ControlLine(tc.op, tc.target, tc.rolling); got != tc.want {
			t.Errorf("%s %q %v: %q, want %q", tc.op, tc.target, tc.rolling, got, tc.want)
		}
	}
}

func TestFailureCode(t *testing.T) {
	for st, want := range map[proc.ExitStatus]int{
		{Code: 0}: 1, {Code: 3}: 3, {Signal: syscall.SIGKILL}: 137,
	} {
		if got := FailureCode(st); got != want {
			t.Errorf("%v: %d, want %d", st, got, want)
		}
	}
}
