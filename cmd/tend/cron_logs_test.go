package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The output of past runs: through the running tend's socket, then from
// the history file once it has stopped; tend status shows the first line
// of the failed run's error output.
func TestCronLogsFromSocketAndFile(t *testing.T) {
	t.Parallel()
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "echo out line; echo boom: disk full >&2; echo more >&2; exit 3", "schedule": "@every 1s"}]}`,
	})
	id := cronID(t, dir)
	env := []string{"TEND_LOCK_DIR=" + t.TempDir()}
	p := startTend(t, dir, env, "start", "--history", hist)
	p.waitFor("cron."+id+": exited with status 3 after", p.stderr)
	stdout, stderr, code := runTend(t, dir, env, "status")
	if code != 0 || !strings.Contains(stdout, id+" last error: boom: disk full") {
		t.Errorf("status: exit %d\n%s%s", code, stdout, stderr)
	}
	check := func(from string, args ...string) {
		t.Helper()
		stdout, stderr, code := runTend(t, dir, env, append([]string{"cron", "logs", id}, args...)...)
		if code != 0 || !strings.HasPrefix(stdout, "cron."+id+": started ") || !strings.Contains(stdout, ", failed (exit status 3)\n") ||
			!strings.Contains(stdout, "out line\n") || !strings.Contains(stdout, "boom: disk full\nmore\n") {
			t.Errorf("cron logs %v (%s): exit %d\n%s%s", args, from, code, stdout, stderr)
		}
		stdout, stderr, code = runTend(t, dir, env, append([]string{"cron", "logs", id, "--json", "--failed"}, args...)...)
		var run struct {
			Output, ErrorLine, Outcome string
			ExitCode                   int `json:"exit_code"`
		}
		if err := json.Unmarshal([]byte(stdout), &run); err != nil || code != 0 || run.ExitCode != 3 || !strings.Contains(run.Output, "boom: disk full") {
			t.Errorf("cron logs --json (%s): exit %d, %v\n%s%s", from, code, err, stdout, stderr)
		}
	}
	check("socket")
	p.signal(syscall.SIGTERM)
	p.wait()
	check("file", "--history", hist)
	if _, stderr, code := runTend(t, dir, env, "cron", "logs", id); code != 1 || !strings.Contains(stderr, "no --history file") {
		t.Errorf("no tend, no history: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runTend(t, dir, env, "cron", "logs", id, "--history", hist, "--run", "100000"); code != 1 || !strings.Contains(stderr, "no run 100000") {
		t.Errorf("--run 100000: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runTend(t, dir, env, "cron", "logs", "nope", "--history", hist); code != 1 || !strings.Contains(stderr, id) {
		t.Errorf("unknown ID: exit %d, %q", code, stderr)
	}
}
