package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// --after: worker is held until every web instance has passed its startup
// check; a startup check that fails stops the instance, and its exit 0
// counts as a crash (a type that may die stays down, the rest runs on).
func TestAfterWaitsForStartupChecks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	started := health.Check{Type: health.Startup, Kind: health.Command, Command: []string{"sh", "-c", "test -e web.up"},
		Attempts: 1000, Wait: 20 * time.Millisecond, Timeout: 5 * time.Second}
	web := testInstance("web.1", idle)
	web.Checks = []health.Check{started}
	doomed := testInstance("doomed.1", `trap 'exit 0' TERM; while :; do sleep 0.02; done`)
	doomed.CanDie = true
	doomed.Checks = []health.Check{{Type: health.Startup, Kind: health.Command, Command: []string{"false"},
		Attempts: 2, Wait: 10 * time.Millisecond, Timeout: 5 * time.Second}}
	h := startHarness(t, Config{Dir: dir, Instances: []spec.Instance{web, testInstance("worker.1", idle), doomed},
		After: map[string][]string{"worker": {"web"}}})
	h.waitState("web.1", status.Starting)
	if p := h.process("worker.1"); p.State != status.Held {
		t.Errorf("worker.1 is %s before web is up", p.State)
	}
	if err := os.WriteFile(filepath.Join(dir, "web.up"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.out.WaitFor(t, "web.1 passed its startup checks")
	h.waitState("worker.1", status.Running)
	h.out.WaitFor(t, `doomed.1 failed its startup check "command false" after 2 attempts: exited with status 1: stopping it`)
	h.out.WaitFor(t, "doomed.1 exited with status 0")
	h.waitState("doomed.1", status.Exited)
	if p := h.process("doomed.1"); p.LastExit == nil || *p.LastExit != 0 {
		t.Errorf("doomed.1: %+v", p)
	}
	h.waitState("web.1", status.Running)
}

// A reload that removes a type's health checks leaves its running
// instance with none: no checks in its status, no readiness, and it counts
// as up, so what --after held behind it starts.
func TestReloadRemovesHealthChecks(t *testing.T) {
	t.Parallel()
	web := testInstance("web.1", idle)
	web.Checks = []health.Check{{Type: health.Readiness, Kind: health.Command, Command: []string{"false"},
		Attempts: 1, Wait: 20 * time.Millisecond, Timeout: 5 * time.Second}}
	h := startHarness(t, Config{Instances: []spec.Instance{web, testInstance("worker.1", idle)},
		After: map[string][]string{"worker": {"web"}}})
	testkit.WaitFor(t, "web.1's readiness check probed", 10*time.Second, func() bool {
		p := h.process("web.1")
		return len(p.Checks) == 1 && p.Checks[0].Probed
	})
	if p := h.process("web.1"); p.Ready == nil || *p.Ready {
		t.Fatalf("web.1 before the reload: %+v", p)
	}
	if p := h.process("worker.1"); p.State != status.Held {
		t.Fatalf("worker.1 is %s while web is not ready", p.State)
	}
	bare := web
	bare.Checks = nil
	h.setPlan(spec.ReloadPlan{Instances: []spec.Instance{bare, testInstance("worker.1", idle)}})
	h.reloads <- spec.ReloadRequest{Reason: "test"}
	h.out.WaitFor(t, "reload (test): web health checks changed")
	h.waitState("worker.1", status.Running)
	if p := h.process("web.1"); len(p.Checks) != 0 || p.Ready != nil || p.State != status.Running {
		t.Errorf("web.1 after its checks were removed: %+v", p)
	}
}
