package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

// statusOf asks the running tend for its status as JSON.
func statusOf(t *testing.T, dir string, env []string) status.Snapshot {
	t.Helper()
	stdout, stderr, code := runTend(t, dir, env, "status", "--json")
	var snap status.Snapshot
	if err := json.Unmarshal([]byte(stdout), &snap); err != nil || code != 0 {
		t.Fatalf("status: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	return snap
}

func pidOf(snap status.Snapshot, name string) int {
	for _, p := range snap.Processes {
		if p.Name == name {
			return p.Pid
		}
	}
	return 0
}

func TestControlRestartStopResume(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "tend.sock")
	env := []string{"TEND_SOCKET=" + sock}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\nworker: echo worker up; sleep 60\n"})
	p := startTend(t, dir, env, "start")
	p.waitOutput("worker.1 | worker up")
	p.waitOutput("web.1    | web up")
	st, err := os.Stat(sock)
	if err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket %v: %v", st, err)
	}
	before := statusOf(t, dir, env)
	if _, _, code := runTend(t, dir, env, "restart", "worker"); code != 0 {
		t.Fatalf("restart: exit %d", code)
	}
	p.waitOutput("worker.1 started with pid")
	waitFor(t, "worker restarted", func() bool {
		s := statusOf(t, dir, env)
		return pidOf(s, "worker.1") != 0 && pidOf(s, "worker.1") != pidOf(before, "worker.1")
	})
	after := statusOf(t, dir, env)
	if pidOf(after, "web.1") != pidOf(before, "web.1") {
		t.Errorf("web's pid changed: %d → %d", pidOf(before, "web.1"), pidOf(after, "web.1"))
	}
	runTend(t, dir, env, "stop", "web")
	waitFor(t, "web stopped", func() bool { return statusOf(t, dir, env).Processes[0].State == "stopped" })
	if stdout, _, code := runTend(t, dir, env, "status", "--check"); code != 0 {
		t.Errorf("a process stopped on purpose made the check fail: %s", stdout)
	}
	runTend(t, dir, env, "resume", "web")
	waitFor(t, "web running again", func() bool { return statusOf(t, dir, env).Processes[0].State == "running" })
	if _, stderr, code := runTend(t, dir, env, "restart", "nope"); code != 1 || !strings.Contains(stderr, `no process "nope"`) {
		t.Errorf("unknown target: exit %d, %q", code, stderr)
	}
	stdout, _, _ := runTend(t, dir, env, "status")
	if !strings.Contains(stdout, "PROCESS") || !strings.Contains(stdout, "worker.1") {
		t.Errorf("status:\n%s", stdout)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
}

func TestControlSocketStaleAndLive(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "tend.sock")
	env := []string{"TEND_SOCKET=" + sock}
	// A socket file nobody listens on, as a crashed tend leaves it.
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\n"})
	p := startTend(t, dir, env, "start")
	p.waitOutput("web.1 | web up")
	_, stderr, code := runTend(t, dir, env, "start")
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("already running for this app (pid %d", p.cmd.Process.Pid)) {
		t.Errorf("second tend: exit %d, %q", code, stderr)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	if _, _, code := runTend(t, dir, env, "status"); code != 1 {
		t.Errorf("status without a tend: exit %d, want 1", code)
	}
}

func TestMetricsAndHealth(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "exit 3", "schedule": "@every 1s"}]}`,
	})
	p := startTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}, "start", "--metrics-addr", addr)
	waitStderr(t, p, "exited with status 3") // at least one failed run is recorded
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	if up := families["tend_process_up"]; up == nil || up.Metric[0].GetGauge().GetValue() != 1 {
		t.Errorf("tend_process_up: %v", up)
	}
	if f := families["tend_cron_failures_total"]; f == nil || f.Metric[0].GetCounter().GetValue() < 1 {
		t.Errorf("tend_cron_failures_total: %v", f)
	}
	// The job has never succeeded: once twice its interval has passed since
	// tend started, the dead man's switch trips.
	waitFor(t, "/healthz/cron to fail", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz/cron")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 503
	})
	for path, want := range map[string]int{"/healthz": 200, "/status": 200} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, want)
		}
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestOnFailureHook(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\nflaky: echo about to fail; exit 4\n",
		"hook.sh":  "#!/bin/sh\nprintf '%s|%s|%s|%s' \"$TEND_PROCESS\" \"$TEND_JOB_ID\" \"$TEND_EXIT_CODE\" \"$TEND_OUTPUT_TAIL\" > hook.out\n",
	})
	p := startTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}, "start", "--can-die", "flaky", "--on-failure", "sh hook.sh")
	waitFor(t, "the hook's file", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "hook.out"))
		return len(b) > 0
	})
	b, _ := os.ReadFile(filepath.Join(dir, "hook.out"))
	if string(b) != "flaky.1||4|about to fail\n" {
		t.Errorf("hook saw %q", b)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	// A drain is not a failure: no hook for web, killed by SIGTERM.
	if b2, _ := os.ReadFile(filepath.Join(dir, "hook.out")); string(b2) != string(b) {
		t.Errorf("the hook ran for a requested stop: %q", b2)
	}
}

func freeAddr(t *testing.T) string { return testkit.FreeAddr(t) }

func TestCronRunThroughTheRunningTend(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "s")
	env := []string{"TEND_SOCKET=" + sock}
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		".env":     "WHO=server\n",
		"app.json": `{"cron": [
			{"command": "echo hello from $WHO; sleep 1; echo done", "schedule": "@daily", "concurrency_policy": "forbid"},
			{"command": "echo failing; exit 3", "schedule": "@daily"},
			{"command": "trap 'echo stopping; exit 9' TERM; echo waiting; while :; do sleep 0.05; done", "schedule": "@daily"}
		]}`,
	})
	ids := cronIDs(t, dir)
	p := startTend(t, dir, env, "start")
	p.waitOutput("tend")
	waitFor(t, "the control socket", func() bool { _, err := os.Stat(sock); return err == nil })

	// Output streams back, the exit status is the caller's, the server's
	// environment applies and the run shows in the server's output.
	stdout, stderr, code := runTend(t, dir, append(env, "WHO=caller"), "cron", "run", ids[0])
	if code != 0 || stdout != "hello from server\ndone\n" || !strings.Contains(stderr, "in the running tend (pid") {
		t.Errorf("remote run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	p.waitOutput("cron." + ids[0] + " | hello from server")
	stdout, _, code = runTend(t, dir, env, "cron", "run", ids[1])
	if code != 3 || stdout != "failing\n" {
		t.Errorf("failing run: exit %d, %q", code, stdout)
	}

	// While a run goes on, status estimates the time left from the earlier
	// successful run (about 1 s), and forbid refuses a second one.
	bg := startTend(t, dir, env, "cron", "run", ids[0])
	bg.waitOutput("hello from server")
	_, stderr, code = runTend(t, dir, env, "cron", "run", ids[0])
	if code != 75 || !strings.Contains(stderr, "is still going (forbid)") {
		t.Errorf("forbid: exit %d, %q", code, stderr)
	}
	snap := statusOf(t, dir, env)
	var job status.Job
	for _, j := range snap.Cron {
		if j.ID == ids[0] {
			job = j
		}
	}
	if len(job.Running) != 1 || job.Running[0].Remaining == nil || *job.Running[0].Remaining > time.Second || job.Runs != 1 || job.Skips != 1 {
		t.Errorf("status of the running job: %+v", job)
	}
	if code := bg.wait(); code != 0 {
		t.Errorf("background run: exit %d", code)
	}

	// Ctrl-C on the caller stops the run in the server.
	caller := startTend(t, dir, env, "cron", "run", ids[2])
	caller.waitOutput("waiting")
	caller.signal(syscall.SIGINT)
	if code := caller.wait(); code != 9 || !strings.Contains(caller.stdout.String(), "stopping") {
		t.Errorf("interrupted run: exit %d, %q", code, caller.stdout)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

func cronIDs(t *testing.T, dir string) []string {
	t.Helper()
	stdout, _, _ := runTend(t, dir, nil, "cron", "list", "--json")
	var list []report.CronEntry
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}

// restart and stop take several names and globs through the socket, and
// none means all.
func TestControlManyNamesThroughTheCLI(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\nworker: echo worker up; sleep 60\nclock: echo clock up; sleep 60\n"})
	p := startTend(t, dir, env, "start", "-m", "web=2,worker=1,clock=1")
	p.waitOutput("clock up")
	p.waitOutput("worker up")
	if _, stderr, code := runTend(t, dir, env, "stop", "web.*", "worker"); code != 0 {
		t.Fatalf("stop web.* worker: exit %d\n%s", code, stderr)
	}
	eventually(10*time.Second, func() bool {
		n := 0
		for _, pr := range statusOf(t, dir, env).Processes {
			if pr.State == "stopped" {
				n++
			}
		}
		return n == 3
	})
	for _, pr := range statusOf(t, dir, env).Processes {
		if want := map[bool]string{true: "running", false: "stopped"}[pr.Type == "clock"]; string(pr.State) != want {
			t.Errorf("%s is %s, want %s", pr.Name, pr.State, want)
		}
	}
	if _, stderr, code := runTend(t, dir, env, "resume"); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	p.waitOutput("start all requested through the control socket")
	p.signal(syscall.SIGTERM)
	p.wait()
}
