package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/status"
)

func jobStatus(t *testing.T, dir string, env []string, id string) status.Job {
	t.Helper()
	for _, j := range statusOf(t, dir, env).Cron {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("job %s not in status", id)
	return status.Job{}
}

// With --history the last runs survive a restart of tend, and a torn last
// line (a crash mid-write) is skipped.
func TestHistoryFileSurvivesRestart(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "s")
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	env := []string{"TEND_SOCKET=" + sock, "TEND_HISTORY=" + hist}
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "echo ran; exit 4", "schedule": "@daily"}]}`,
	})
	id := cronIDs(t, dir)[0]
	start := func() *tendProc {
		p := startTend(t, dir, env, "start")
		waitFor(t, "the control socket", func() bool { _, err := os.Stat(sock); return err == nil })
		return p
	}

	p := start()
	if _, _, code := runTend(t, dir, env, "cron", "run", id); code != 4 {
		t.Fatalf("cron run: exit %d", code)
	}
	if j := jobStatus(t, dir, env, id); j.Runs != 1 || j.Failures != 1 || j.Last == nil || j.Last.ExitCode != 4 {
		t.Errorf("status after the run: %+v", j)
	}
	p.signal(syscall.SIGTERM)
	p.wait()

	f, err := os.OpenFile(hist, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("history file: %v", err)
	}
	f.WriteString(`{"job":"` + id + `","started":"2026-`)
	f.Close()

	p = start()
	j := jobStatus(t, dir, env, id)
	if j.Last == nil || j.Last.ExitCode != 4 || j.Last.Outcome != "failed" || j.Runs != 0 {
		t.Errorf("status after restart: %+v (want the last run from before, no runs since start)", j)
	}
	runTend(t, dir, env, "cron", "run", id)
	p.signal(syscall.SIGTERM)
	p.wait()

	data, _ := os.ReadFile(hist)
	var valid int
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var r struct {
			Job      string `json:"job"`
			ExitCode int    `json:"exit_code"`
		}
		if json.Unmarshal([]byte(line), &r) == nil && r.Job == id && r.ExitCode == 4 {
			valid++
		}
	}
	if valid != 2 {
		t.Errorf("history file has %d whole runs, want 2:\n%s", valid, data)
	}
}

func TestHistoryFileInAMissingDirectory(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "true", "schedule": "@daily"}]}`,
	})
	_, stderr, code := runTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}, "start", "--history", "/nonexistent/h.jsonl")
	if code != 1 || !strings.Contains(stderr, "--history /nonexistent/h.jsonl") || strings.Contains(stderr, "started with pid") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
