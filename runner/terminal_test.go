package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// tend attach: a --tty instance's terminal takes a session, which sees
// what it writes and types to it; the requests that cannot attach say why.
func TestAttach(t *testing.T) {
	t.Parallel()
	tty := testInstance("console.1", `while read line; do echo "got $line"; done`)
	tty.Terminal = true
	h := startHarness(t, Config{Instances: []spec.Instance{tty, testInstance("web.1", idle), testInstance("web.2", idle)}})
	h.waitState("console.1", status.Running)
	session, name, err := h.s.Attach("console")
	if err != nil || name != "console.1" {
		t.Fatalf("attach: %q %v\n%s", name, err, h.out)
	}
	defer session.Detach()
	if _, err := session.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	deadline := time.After(10 * time.Second)
	for !strings.Contains(seen.String(), "got hello") {
		select {
		case b := <-session.Output():
			seen.Write(b)
		case <-deadline:
			t.Fatalf("the session saw %q", seen.String())
		}
	}
	h.out.WaitFor(t, "console.1 | got hello")
	for target, want := range map[string]string{
		"nope":  `no process "nope"`,
		"web":   "web names 2 instances (web.1, web.2): attach to one of them",
		"web.1": "web.1 has no terminal to attach to: start tend with --tty web (or TEND_TTY=web)",
	} {
		if _, _, err := h.s.Attach(target); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("attach %s: %v, want %s", target, err, want)
		}
	}
	h.do(status.OpStop, "console.1")
	h.waitState("console.1", status.Stopped)
	if _, _, err := h.s.Attach("console.1"); err == nil || !strings.Contains(err.Error(), "console.1 is not running") {
		t.Errorf("attach to a stopped instance: %v", err)
	}
}

// tend attach without a target on a tend that runs no process (cron only,
// or a reload removed them all) says so.
func TestAttachNoProcess(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{testInstance("web.1", idle)}, Cron: &cron.Config{}})
	h.waitState("web.1", status.Running)
	h.setPlan(spec.ReloadPlan{})
	h.reloads <- spec.ReloadRequest{Reason: "test"}
	h.out.WaitFor(t, "reload (test): web stopped")
	testkit.WaitFor(t, "web.1 removed", 10*time.Second, func() bool { return len(h.do(status.OpStatus, "").Processes) == 0 })
	for _, target := range []string{"", "web"} {
		if _, _, err := h.s.Attach(target); err == nil {
			t.Errorf("attach %q: no error", target)
		} else if want := map[string]string{"": "no process to attach to", "web": `no process "web"`}[target]; !strings.Contains(err.Error(), want) {
			t.Errorf("attach %q: %v, want %s", target, err, want)
		}
	}
}
