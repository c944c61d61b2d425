package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A daily job whose time passed ten minutes ago, while no tend ran, with
// its last run a day earlier in the history file: --cron-catch-up 1h runs
// it once at start, as a catch-up of that time; the next start finds that
// run recorded and catches up nothing.
func TestCronCatchUpAfterRestart(t *testing.T) {
	t.Parallel()
	due := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Minute)
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": fmt.Sprintf(`{"cron": [{"command": "echo caught up $TEND_CRON_SCHEDULED_AT >> runs", "schedule": "%d %d * * *"}]}`, due.Minute(), due.Hour()),
	})
	id := cronID(t, dir)
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	day := due.Add(-24 * time.Hour).Format(time.RFC3339)
	if err := os.WriteFile(hist, fmt.Appendf(nil, `{"job":%q,"scheduled":%q,"started":%q,"duration_ns":1000000,"exit_code":0,"outcome":"ok"}`+"\n", id, day, day), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"TEND_LOCK_DIR=" + t.TempDir(), "TEND_HISTORY=" + hist}
	p := startTend(t, dir, env, "start", "--cron-catch-up", "1h")
	p.waitOutput("cron." + id + ": catching up the run due at " + due.Format(time.RFC3339) + ", missed while tend was not running")
	p.waitOutput("cron catch-up: 1 of 1 jobs missed a run within 1h0m0s")
	p.waitOutput("cron." + id + ": exited with status 0")
	p.signal(syscall.SIGTERM)
	p.wait()
	p = startTend(t, dir, env, "start", "--cron-catch-up", "1h")
	p.waitOutput("cron catch-up: 0 of 1 jobs missed a run within 1h0m0s")
	p.signal(syscall.SIGTERM)
	p.wait()
	runs, _ := os.ReadFile(filepath.Join(dir, "runs"))
	if string(runs) != "caught up "+due.Format(time.RFC3339)+"\n" {
		t.Errorf("runs: %q, want one catch-up of %s", runs, due.Format(time.RFC3339))
	}
}

// --cron-catch-up needs --history: refused before anything starts.
func TestCronCatchUpNeedsHistory(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: touch started; sleep 60\n", "app.json": `{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`})
	for _, cmd := range []string{"check", "start"} {
		_, stderr, code := runTend(t, dir, nil, cmd, "--cron-catch-up", "1h")
		if code != 2 || !strings.Contains(stderr, "--cron-catch-up needs --history FILE") {
			t.Errorf("%s: exit %d, %q", cmd, code, stderr)
		}
	}
	if _, stderr, code := runTend(t, dir, nil, "check", "--cron-catch-up", "soon"); code != 2 || !strings.Contains(stderr, "invalid --cron-catch-up") {
		t.Errorf("check --cron-catch-up soon: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
		t.Error("tend start started the app")
	}
}

// A time that another tend sharing the lock ran (this one recorded a
// locked skip for it) is not a missed time: a restart catches up nothing.
func TestCronCatchUpSkipsATimeAnotherTendRan(t *testing.T) {
	t.Parallel()
	due := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Minute)
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": fmt.Sprintf(`{"cron": [{"command": "echo caught up >> runs", "schedule": "%d %d * * *", "concurrency_policy": "forbid"}]}`, due.Minute(), due.Hour()),
	})
	id := cronID(t, dir)
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	day := due.Add(-24 * time.Hour).Format(time.RFC3339)
	at := due.Format(time.RFC3339)
	records := fmt.Sprintf(`{"job":%q,"scheduled":%q,"started":%q,"duration_ns":1000000,"exit_code":0,"outcome":"ok"}`+"\n", id, day, day) +
		fmt.Sprintf(`{"job":%q,"scheduled":%q,"started":%q,"outcome":"skipped","reason":"locked"}`+"\n", id, at, at)
	if err := os.WriteFile(hist, []byte(records), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startTend(t, dir, []string{"TEND_LOCK_DIR=" + t.TempDir(), "TEND_HISTORY=" + hist}, "start", "--cron-catch-up", "1h")
	p.waitOutput("cron catch-up: ")
	if !strings.Contains(p.stdout.String(), "cron catch-up: 0 of 1 jobs missed a run within 1h0m0s") {
		t.Errorf("catch-up of a time another tend ran:\n%s", p.stdout)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	if runs, err := os.ReadFile(filepath.Join(dir, "runs")); err == nil {
		t.Errorf("a time another tend ran was caught up: %q", runs)
	}
}
