package runner

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

const idle = "while :; do sleep 0.02; done"

// SIGTERM is a requested stop: every group gets its stop signal and tend
// exits 0.
func TestSignalTermDrains(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{
		testInstance("web.1", "trap 'echo web got TERM; exit 0' TERM; echo web ready; "+idle),
	}})
	h.out.WaitFor(t, "web ready")
	h.signal(syscall.SIGTERM)
	if code := h.wait(); code != 0 {
		t.Errorf("exit code %d, want 0\n%s", code, h.out)
	}
	if !h.s.StopRequested() {
		t.Error("StopRequested is false after SIGTERM")
	}
	for _, want := range []string{"received SIGTERM", "stopping (stop requested): web.1 SIGTERM; SIGKILL in 5s", "web got TERM"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, h.out)
		}
	}
}

// A second SIGINT while draining kills at once: 137, since something had
// to be killed.
func TestSignalSecondInterruptKills(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Timeout: time.Minute, Instances: []spec.Instance{
		testInstance("deaf.1", "trap '' INT TERM; echo deaf ready; "+idle),
	}})
	h.out.WaitFor(t, "deaf ready")
	h.signal(syscall.SIGINT)
	h.out.WaitFor(t, "stopping (stop requested)")
	start := time.Now()
	h.signal(syscall.SIGINT)
	if code := h.wait(); code != 137 {
		t.Errorf("exit code %d, want 137\n%s", code, h.out)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the second SIGINT took %v to stop", took)
	}
	if !strings.Contains(h.out.String(), "received SIGINT again: killing all processes") {
		t.Errorf("no kill message:\n%s", h.out)
	}
}

// A repeated SIGTERM changes nothing but says how long is left.
func TestSignalTermAgainOnlyReports(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Timeout: 300 * time.Millisecond, Instances: []spec.Instance{
		testInstance("deaf.1", "trap '' TERM; echo deaf ready; "+idle),
	}})
	h.out.WaitFor(t, "deaf ready")
	h.signal(syscall.SIGTERM)
	h.out.WaitFor(t, "stopping (stop requested)")
	h.signal(syscall.SIGTERM)
	if code := h.wait(); code != 137 {
		t.Errorf("exit code %d, want 137 (deaf.1 was killed at the timeout)\n%s", code, h.out)
	}
	for _, want := range []string{"received SIGTERM again: still stopping", "deaf.1 still running after timeout: sending SIGKILL"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, h.out)
		}
	}
}

// Other signals are passed on to every running instance's group.
func TestSignalForwarded(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{
		testInstance("web.1", "trap 'echo web got USR1' USR1; echo web ready; "+idle),
		testInstance("worker.1", "trap 'echo worker got USR1' USR1; echo worker ready; "+idle),
	}})
	h.out.WaitFor(t, "web ready")
	h.out.WaitFor(t, "worker ready")
	h.signal(syscall.SIGUSR1)
	h.out.WaitFor(t, "web got USR1")
	h.out.WaitFor(t, "worker got USR1")
	if p := h.process("web.1"); p.State != status.Running {
		t.Errorf("web.1 is %s after SIGUSR1", p.State)
	}
}

// SIGHUP reloads.
func TestSignalHangupReloads(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{testInstance("web.1", idle)}})
	h.waitState("web.1", status.Running)
	h.signal(syscall.SIGHUP)
	h.out.WaitFor(t, "reload (SIGHUP): nothing changed")
}

// On a terminal SIGHUP is a hangup: tend stops. (One harness per test:
// a process has one Reaper at a time.)
func TestSignalHangupOnATerminalStops(t *testing.T) {
	t.Parallel()
	onTTY := startHarness(t, Config{Terminal: true, Instances: []spec.Instance{testInstance("web.1", idle)}})
	onTTY.waitState("web.1", status.Running)
	onTTY.signal(syscall.SIGHUP)
	if code := onTTY.wait(); code != 0 {
		t.Errorf("exit code %d after a hangup, want 0\n%s", code, onTTY.out)
	}
	if !strings.Contains(onTTY.out.String(), "received SIGHUP") {
		t.Errorf("no hangup:\n%s", onTTY.out)
	}
}
