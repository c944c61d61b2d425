package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/status"
)

// --after: worker is held until every web instance has passed its startup
// check; a startup check that fails stops the instance, and its exit 0
// counts as a crash (a type that may die stays down, the rest runs on).
func TestAfterWaitsForStartupChecks(t *testing.T) {
	dir := t.TempDir()
	started := health.Check{Type: health.Startup, Kind: health.Command, Command: []string{"sh", "-c", "test -e web.up"},
		Attempts: 1000, Wait: 20 * time.Millisecond, Timeout: 5 * time.Second}
	web := testInstance("web.1", idle)
	web.Checks = []health.Check{started}
	doomed := testInstance("doomed.1", `trap 'exit 0' TERM; while :; do sleep 0.02; done`)
	doomed.CanDie = true
	doomed.Checks = []health.Check{{Type: health.Startup, Kind: health.Command, Command: []string{"false"},
		Attempts: 2, Wait: 10 * time.Millisecond, Timeout: 5 * time.Second}}
	h := startHarness(t, Config{Dir: dir, Instances: []InstanceSpec{web, testInstance("worker.1", idle), doomed},
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
