package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// @reboot runs once when tend start starts, after the release, and not
// again on a reload; tend check says so and warns that Dokku refuses it.
func TestCronAtRebootRunsOnceAtStart(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "release: echo released >> order\nweb: echo web up; exec sleep 60\n",
		"app.json": `{"cron": [{"command": "echo rebooted >> order", "schedule": "@reboot"}, {"command": "bin/nightly", "schedule": "@daily"}]}`,
	})
	id := cronID(t, dir)
	stdout, stderr, code := runTend(t, dir, nil, "check")
	if code != 0 || !strings.Contains(stdout, "@reboot  echo rebooted >> order  once when tend start starts") ||
		!strings.Contains(stdout+stderr, "@reboot runs once when tend start starts, but Dokku refuses it") {
		t.Errorf("check: exit %d\n%s\n%s", code, stdout, stderr)
	}
	env := []string{"TEND_LOCK_DIR=" + t.TempDir()}
	p := startTend(t, dir, env, "start", "--release")
	p.waitOutput("cron." + id + ": exited with status 0")
	p.waitOutput("| web up")
	p.signal(syscall.SIGHUP) // a reload is not a start
	p.waitOutput("reload (SIGHUP)")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
	// A run the reload started would be cut short by the drain, but its
	// start line would be there.
	if n := strings.Count(p.stdout.String(), `started (schedule "@reboot"`); n != 1 {
		t.Errorf("@reboot started %d times in one tend start:\n%s", n, p.stdout)
	}
	order, _ := os.ReadFile(filepath.Join(dir, "order"))
	if string(order) != "released\nrebooted\n" {
		t.Errorf("order: %q, want the release, then one @reboot run", order)
	}
	// A second start runs it again: once per start.
	p = startTend(t, dir, env, "start")
	p.waitOutput("cron." + id + ": exited with status 0")
	p.signal(syscall.SIGTERM)
	p.wait()
	if order, _ := os.ReadFile(filepath.Join(dir, "order")); string(order) != "released\nrebooted\nrebooted\n" {
		t.Errorf("order after a second start: %q", order)
	}
}
