package lifecycle

import (
	"syscall"
	"testing"

	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
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

func TestAttachable(t *testing.T) {
	tty := func(name string, running bool) *Member {
		return &Member{Spec: spec.Instance{Name: name, Type: "web", Terminal: true}, Running: running}
	}
	piped := &Member{Spec: spec.Instance{Name: "worker.1", Type: "worker"}, Running: true}
	for _, tc := range []struct {
		matched []*Member
		err     string
	}{
		{[]*Member{tty("web.1", true)}, ""},
		{nil, "no process to attach to: tend runs none"},
		{[]*Member{tty("web.1", true), tty("web.2", true)}, "web names 2 instances (web.1, web.2): attach to one of them"},
		{[]*Member{piped}, "worker.1 has no terminal to attach to: start tend with --tty worker (or TEND_TTY=worker)"},
		{[]*Member{tty("web.1", false)}, "web.1 is not running"},
	} {
		err := Attachable("web", tc.matched)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
			t.Errorf("%d matched: %v; want %q", len(tc.matched), err, tc.err)
		}
	}
}
