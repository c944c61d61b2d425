package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/spec"

	"github.com/tend-run/tend/status"
)

// stop, start and restart act on a type or an instance; the rest keeps
// running, and the state names and counts follow.
func TestControlOperations(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{
		testInstance("web.1", idle), testInstance("web.2", idle), testInstance("worker.1", idle),
	}})
	for _, n := range []string{"web.1", "web.2", "worker.1"} {
		h.waitState(n, status.Running)
	}
	h.do(status.OpStop, "web")
	h.waitState("web.1", status.Stopped)
	h.waitState("web.2", status.Stopped)
	if p := h.process("worker.1"); p.State != status.Running || !p.Expected {
		t.Errorf("worker.1: %+v", p)
	}
	if ok, why := h.do(status.OpStatus, "").Healthy(status.Processes, time.Now()); !ok || why != "ok" {
		t.Errorf("stopped by request is healthy, got %q", why)
	}
	h.do(status.OpStart, "web.2")
	h.waitState("web.2", status.Running)
	if p := h.process("web.1"); p.State != status.Stopped {
		t.Errorf("web.1 is %s after start web.2", p.State)
	}
	before := h.process("worker.1").Pid
	h.do(status.OpRestart, "worker.1")
	var p status.Process
	testkit.WaitFor(t, "worker.1 restarted", 10*time.Second, func() bool {
		p = h.process("worker.1")
		return p.State == status.Running && p.Restarts == 1
	})
	if p.Pid == before {
		t.Errorf("worker.1 after restart: %+v (pid before %d)", p, before)
	}
	// The line is printed after the restart began, so it may still be on
	// its way through the Mux when the state already says Running.
	h.out.WaitFor(t, "restart worker.1 requested through the control socket")
}

// Unknown operations and targets are errors; the formation is untouched.
func TestControlErrors(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{testInstance("web.1", idle)}})
	h.waitState("web.1", status.Running)
	if _, err := h.s.Do("bogus", ""); err == nil || !strings.Contains(err.Error(), `unknown operation "bogus"`) {
		t.Errorf("bogus: %v", err)
	}
	if _, err := h.s.Do(status.OpStop, "db"); err == nil || !strings.Contains(err.Error(), `no process "db"; running: [web.1]`) {
		t.Errorf("stop db: %v", err)
	}
	if p := h.process("web.1"); p.State != status.Running {
		t.Errorf("web.1 is %s", p.State)
	}
	h.do(status.OpReload, "")
	h.out.WaitFor(t, "reload (tend reload): nothing changed")
}

// Several names, globs, or none: the instances they name (each once), and
// a name that matches nothing refuses the whole request.
func TestControlManyAtOnce(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{
		testInstance("web.1", idle), testInstance("web.2", idle), testInstance("worker.1", idle), testInstance("clock.1", idle),
	}})
	for _, n := range []string{"web.1", "web.2", "worker.1", "clock.1"} {
		h.waitState(n, status.Running)
	}
	if _, err := h.s.Do(status.OpStop, "web.*,nope"); err == nil || !strings.Contains(err.Error(), `no process "nope"`) {
		t.Errorf("a pattern that matches nothing: %v", err)
	}
	if p := h.process("web.1"); p.State != status.Running {
		t.Errorf("a refused request stopped web.1: %s", p.State)
	}
	h.do(status.OpStop, "web.*,work*")
	for _, n := range []string{"web.1", "web.2", "worker.1"} {
		h.waitState(n, status.Stopped)
	}
	if p := h.process("clock.1"); p.State != status.Running {
		t.Errorf("clock.1 is %s", p.State)
	}
	h.do(status.OpStart, "")
	for _, n := range []string{"web.1", "web.2", "worker.1", "clock.1"} {
		h.waitState(n, status.Running)
	}
	h.out.WaitFor(t, "start all requested through the control socket")
}
