package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/internal/dbtest"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

// Suspend without a tend running, then two tends sharing the lock dir
// obey it (a restart included: the state is a file), as does `tend cron
// run` (75 unless --force) and Dokku's exec-mode path; resume lets runs
// go on in the running tends.
func TestCronSuspendSharedByLockDir(t *testing.T) {
	t.Parallel()
	locks := t.TempDir()
	appJSON := `{"cron": [{"command": "echo ran >> runs; echo job ran", "schedule": "@every 1s"}]}`
	dirA := writeApp(t, map[string]string{"Procfile": "web: sleep 60\n", "app.json": appJSON})
	dirB := writeApp(t, map[string]string{"Procfile": "web: sleep 60\n", "app.json": appJSON})
	env := []string{"TEND_LOCK_DIR=" + locks}
	id := cronID(t, dirA)

	stdout, stderr, code := runTend(t, dirA, env, "cron", "suspend", id)
	if code != 0 || !strings.Contains(stdout, "cron."+id+" suspended") {
		t.Fatalf("suspend: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(locks, id+".suspended")); err != nil {
		t.Fatalf("no suspend file: %v", err)
	}
	stdout, _, _ = runTend(t, dirA, env, "cron", "list", "--json")
	var list []report.CronEntry
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list) != 1 || !list[0].Suspended {
		t.Errorf("cron list --json does not say suspended: %v\n%s", err, stdout)
	}
	if stdout, _, _ = runTend(t, dirA, env, "cron", "list"); !strings.Contains(stdout, "suspended, next ") {
		t.Errorf("cron list: %s", stdout)
	}

	a := startTend(t, dirA, env, "start")
	b := startTend(t, dirB, env, "start")
	a.waitOutput("cron." + id + ": suspended: not starting the run due at")
	b.waitOutput("cron." + id + ": suspended: not starting the run due at")
	stdout, _, _ = runTend(t, dirA, env, "status", "--json")
	var snap status.Snapshot
	if err := json.Unmarshal([]byte(stdout), &snap); err != nil || len(snap.Cron) != 1 || !snap.Cron[0].Suspended {
		t.Errorf("status --json does not say suspended: %v\n%s", err, stdout)
	}
	if stdout, _, _ = runTend(t, dirA, env, "status"); !strings.Contains(stdout, "suspended") {
		t.Errorf("status:\n%s", stdout)
	}
	// Through the running tend, here, and as Dokku's cron container.
	if _, stderr, code = runTend(t, dirA, env, "cron", "run", id); code != 75 || !strings.Contains(stderr, "is suspended") {
		t.Errorf("cron run through tend start: exit %d, %q; want 75", code, stderr)
	}
	if _, stderr, code = runTend(t, dirA, env, "cron", "run", "--here", id); code != 75 || !strings.Contains(stderr, "it is suspended") {
		t.Errorf("cron run --here: exit %d, %q; want 75", code, stderr)
	}
	if _, stderr, code = runTend(t, dirA, append(env, "DYNO=cron.1"), "echo", "ran", ">>", "runs;", "echo", "job", "ran"); code != 75 || !strings.Contains(stderr, "it is suspended") {
		t.Errorf("Dokku's cron container: exit %d, %q; want 75", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dirA, "runs")); err == nil {
		t.Errorf("a suspended job ran")
	}
	if stdout, stderr, code = runTend(t, dirA, env, "cron", "run", "--force", id); code != 0 || stdout != "job ran\n" {
		t.Errorf("cron run --force: exit %d, %q %q", code, stdout, stderr)
	}

	if _, stderr, code = runTend(t, dirB, env, "cron", "resume", "--all"); code != 0 {
		t.Fatalf("resume: exit %d, %s", code, stderr)
	}
	a.waitOutput("cron." + id + ": resumed")
	b.waitOutput("cron." + id + ": resumed")
	a.waitOutput("cron." + id + " | job ran")
	b.waitOutput("cron." + id + " | job ran")
	a.signal(syscall.SIGTERM)
	b.signal(syscall.SIGTERM)
	a.wait()
	b.wait()
}

func TestCronSuspendUnknownID(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n", "app.json": `{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`})
	id := cronID(t, dir)
	env := []string{"TEND_LOCK_DIR=" + t.TempDir()}
	_, stderr, code := runTend(t, dir, env, "cron", "suspend", "nope")
	if code == 0 || !strings.Contains(stderr, `no cron job "nope"`) || !strings.Contains(stderr, id+" (bin/a)") {
		t.Errorf("suspend nope: exit %d, %q", code, stderr)
	}
	if _, stderr, code = runTend(t, dir, env, "cron", "suspend"); code != 2 {
		t.Errorf("suspend without IDs: exit %d, %q; want 2", code, stderr)
	}
	if _, stderr, code = runTend(t, dir, env, "cron", "resume", "--all", id); code != 2 {
		t.Errorf("resume --all ID: exit %d, %q; want 2", code, stderr)
	}
}

// With --lock-url the suspension lives in the database: suspended from
// one "host" (its own lock dir), a tend on another host with another lock
// dir obeys it, and so does tend cron run there.
func TestCronSuspendInTheLockURLDatabase(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	appJSON := `{"cron": [{"command": "echo job ran", "schedule": "@every 1s"}]}`
	dirA := writeApp(t, map[string]string{"app.json": appJSON})
	dirB := writeApp(t, map[string]string{"app.json": appJSON})
	host := func() []string {
		return []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=suspend-test", "TEND_LOCK_DIR=" + t.TempDir()}
	}
	id := cronID(t, dirA)
	if stdout, stderr, code := runTend(t, dirA, host(), "cron", "suspend", id); code != 0 {
		t.Fatalf("suspend: exit %d\n%s%s", code, stdout, stderr)
	}
	envB := host()
	p := startTend(t, dirB, envB, "start")
	p.waitOutput("cron." + id + ": suspended: not starting the run due at")
	if _, stderr, code := runTend(t, dirB, envB, "cron", "run", "--here", id); code != 75 || !strings.Contains(stderr, "it is suspended") {
		t.Errorf("cron run on the other host: exit %d, %q", code, stderr)
	}
	stdout, _, _ := runTend(t, dirB, envB, "cron", "list", "--json")
	var list []report.CronEntry
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list) != 1 || !list[0].Suspended {
		t.Errorf("cron list --json on the other host: %v\n%s", err, stdout)
	}
	if _, stderr, code := runTend(t, dirA, host(), "cron", "resume", id); code != 0 {
		t.Fatalf("resume: exit %d, %s", code, stderr)
	}
	p.waitOutput("cron." + id + ": resumed")
	p.waitOutput("cron." + id + " | job ran")
	p.signal(syscall.SIGTERM)
	p.wait()
}
