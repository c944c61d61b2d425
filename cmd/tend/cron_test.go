package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/report"
)

// cronID finds the job ID tend prints for its first cron entry.
func cronID(t *testing.T, dir string) string {
	t.Helper()
	stdout, stderr, code := runTend(t, dir, nil, "cron", "list", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || code != 0 || len(list) == 0 {
		t.Fatalf("cron list: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	return list[0]["id"].(string)
}

func TestCronJobsRunInsideStart(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 30\n",
		".env":     "GREETING=hi\n",
		"app.json": `{"cron": [{"command": "echo job sees $GREETING $TEND_CRON_ID $DYNO $TEND_CRON_DEADLINE", "schedule": "@every 1s"}]}`,
	})
	id := cronID(t, dir)
	p := startTend(t, dir, nil, "start")
	p.waitOutput("cron." + id + " | job sees hi " + id + " cron." + id + " 20")
	p.waitOutput("cron." + id + ": exited with status 0 after ")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s%s", code, p.stdout, p.stderr)
	}
}

func TestCronDynoGuard(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web up; sleep 30\n",
		"app.json": `{"cron": [{"command": "echo tick", "schedule": "@every 1s"}]}`,
	})
	p := startTend(t, dir, []string{"DYNO=web.1"}, "start")
	p.waitOutput("not running the 1 app.json cron jobs: DYNO is set")
	p.signal(syscall.SIGTERM)
	p.wait()
	p = startTend(t, dir, []string{"DYNO=web.1"}, "start", "--cron")
	p.waitOutput("| tick")
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestCronRunDrainedOnSigterm(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 30\n",
		"app.json": `{"cron": [{"command": "trap 'sleep 0.3; echo job saved its work; exit 0' TERM; echo job running; while :; do sleep 0.05; done", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`,
	})
	p := startTend(t, dir, nil, "start")
	p.waitOutput("job running")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s%s", code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout.String(), "job saved its work") || !strings.Contains(p.stdout.String()+p.stderr.String(), "(interrupted by shutdown)") {
		t.Errorf("the job was not drained:\n%s%s", p.stdout, p.stderr)
	}
}

func TestCronForbidAcrossTwoTends(t *testing.T) {
	t.Parallel()
	locks := t.TempDir()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "mkdir running 2>/dev/null || echo OVERLAP; echo ran >> runs; sleep 1.2; rmdir running", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`,
	})
	env := []string{"TEND_LOCK_DIR=" + locks}
	// Two containers sharing a volume: separate control sockets.
	a := startTend(t, dir, append(env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "a.sock")), "start")
	b := startTend(t, dir, append(env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "b.sock")), "start")
	waitFor(t, "the job to run three times", func() bool {
		data, _ := os.ReadFile(filepath.Join(dir, "runs"))
		return strings.Count(string(data), "ran") >= 3
	})
	a.signal(syscall.SIGTERM)
	b.signal(syscall.SIGTERM)
	a.wait()
	b.wait()
	out := a.stdout.String() + b.stdout.String()
	if strings.Contains(out, "| OVERLAP") {
		t.Errorf("two runs overlapped:\n%s", out)
	}
	if !strings.Contains(out, "another tend holds") && !strings.Contains(out, "is still going (forbid)") {
		t.Errorf("no skipped run was logged:\n%s", out)
	}
}

func TestCronRunCommand(t *testing.T) {
	t.Parallel()
	locks := t.TempDir()
	dir := writeApp(t, map[string]string{
		"Procfile": "worker: echo worker-cmd\n",
		"app.json": `{"cron": [
			{"command": "touch started; sleep 2; exit 3", "schedule": "@daily", "concurrency_policy": "forbid"},
			{"command": "worker --extra", "schedule": "@hourly", "maintenance": true}
		]}`,
	})
	stdout, _, _ := runTend(t, dir, nil, "cron", "list", "--json")
	var list []report.CronEntry
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list) != 2 {
		t.Fatalf("cron list --json: %v\n%s", err, stdout)
	}
	slow, worker := list[0], list[1]
	if slow.Policy != "forbid" || slow.Next == "" || !worker.Maintenance || worker.Next != "" {
		t.Errorf("list: %+v", list)
	}
	env := []string{"TEND_LOCK_DIR=" + locks}
	holder := startTend(t, dir, env, "cron", "run", slow.ID)
	eventually(10*time.Second, func() bool { _, err := os.Stat(filepath.Join(dir, "started")); return err == nil })
	_, stderr, code := runTend(t, dir, env, "cron", "run", slow.ID)
	if code != 75 || !strings.Contains(stderr, "skipped: another run holds its lock (forbid)") {
		t.Errorf("while locked: exit %d, %q; want 75", code, stderr)
	}
	if code := holder.wait(); code != 3 {
		t.Errorf("the job's status: %d, want 3", code)
	}
	if !regexp.MustCompile(`tend: cron\.\w+ exited with status 3 after \d`).MatchString(holder.stderr.String()) {
		t.Errorf("no end line: %q", holder.stderr)
	}
	// A first word naming a Procfile type runs that type's command.
	stdout, _, code = runTend(t, dir, env, "cron", "run", worker.ID)
	if code != 0 || stdout != "worker-cmd --extra\n" {
		t.Errorf("type command: exit %d, %q", code, stdout)
	}
	_, stderr, code = runTend(t, dir, env, "cron", "run", "nope")
	if code != 2 || !strings.Contains(stderr, slow.ID) {
		t.Errorf("unknown id: exit %d, %q", code, stderr)
	}
}

func TestCronDokkuPathInExecMode(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: x\n",
		"app.json": `{"cron": [{"command": "sh -c 'echo id=$TEND_CRON_ID'", "schedule": "@daily"}]}`,
	})
	id := cronID(t, dir)
	// Dokku passes the entry's words as the container's arguments.
	stdout, stderr, code := runTend(t, dir, []string{"DYNO=cron.1"}, "sh", "-c", "'echo", "id=$TEND_CRON_ID'")
	if code != 0 || !strings.Contains(stderr, "tend: cron."+id+" started") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	// The job ran as the entry says, with its variables.
	if stdout != "id="+id+"\n" {
		t.Errorf("stdout %q, want %q", stdout, "id="+id+"\n")
	}
}

func TestCronExport(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: x\n",
		"app.json": `{"cron": [
			{"command": "bin/report 100%", "schedule": "0 9 * * 1-5"},
			{"command": "bin/tick", "schedule": "@every 30s"}
		]}`,
	})
	stdout, _, code := runTend(t, dir, nil, "cron", "export", "--user", "app")
	if code != 0 || !regexp.MustCompile(`(?m)^0 9 \* \* 1-5 app cd \S+ && \S+ cron run \w{8}$`).MatchString(stdout) ||
		!strings.Contains(stdout, `"@every 30s" cannot be expressed in a crontab`) {
		t.Errorf("export:\n%s", stdout)
	}
}
