package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/procfs"
)

// --restart=worker restarts only the worker: its exits 0 are recycles,
// and web's exit stops the formation with web's status, as without
// --restart.
func TestRestartOnlySomeTypes(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"worker: n=$(cat runs 2>/dev/null || echo 0); echo $((n+1)) > runs; echo batch $n; sleep 1.1; exit 0\n" +
		"web: while [ \"$(cat runs 2>/dev/null)\" != 3 ]; do sleep 0.05; done; exit 3\n"})
	stdout, stderr, code := runTend(t, dir, nil, "start", "--restart=worker")
	if code != 3 {
		t.Errorf("exit code %d, want web's 3\n%s\n%s", code, stdout, stderr)
	}
	if n := strings.Count(stdout, "worker.1 exited with status 0: recycled"); n != 2 {
		t.Errorf("%d recycles, want 2:\n%s", n, stdout)
	}
	if strings.Contains(stdout+stderr, "restarting") {
		t.Errorf("something got the back-off:\n%s\n%s", stdout, stderr)
	}
}

// --restart stays a boolean when bare, before another option; TEND_RESTART
// takes types, or 1 for all; tend check says what each type gets.
func TestRestartFlagForms(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: sleep 30\nworker: sleep 30\nclock: sleep 30\n"})
	p := startTend(t, dir, nil, "start", "--restart", "-m", "web=2,worker=0,clock=0")
	p.waitOutput("web.2 started with pid")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("--restart -m web=2: exit %d\n%s", code, p.stderr)
	}
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{[]string{"TEND_RESTART=worker,clock"}, nil, "lifecycle: worker restarted; clock restarted\n"},
		{[]string{"TEND_RESTART=1"}, nil, "lifecycle: web restarted; worker restarted; clock restarted\n"},
		{nil, []string{"--restart"}, "lifecycle: web restarted; worker restarted; clock restarted\n"},
		{nil, []string{"--max-age=worker=90"}, "lifecycle: worker recycled after 1m30s (less up to 10 %)\n"},
		{nil, []string{"--restart=all", "--max-memory", "worker=512M,web=1.5G", "--max-age=worker=6h"},
			"lifecycle: web restarted, recycled above 1.50G; worker restarted, recycled above 512.0M or after 6h0m0s (less up to 10 %); clock restarted\n"},
	} {
		stdout, stderr, code := runTend(t, dir, c.env, append([]string{"check"}, c.args...)...)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("check %v %v: exit %d, want %q in:\n%s%s", c.env, c.args, code, c.want, stdout, stderr)
		}
	}
}

// Bad --max-memory, --max-age and --restart values are errors before
// anything starts, in tend check too.
func TestLifecycleBadInput(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo started; sleep 30\nworker: sleep 30\n"})
	for _, c := range []struct{ flag, want string }{
		{"--max-memory=web=lots", "--max-memory web: want a size such as 512M or 2G"},
		{"--max-memory=web=0", "--max-memory web: want a size from 1M to 1T"},
		{"--max-age=worker=-1h", "--max-age worker: want a duration from 1s to 8760h"},
		{"--max-age=worker", "--max-age: entry 1 is not type=duration"},
		{"--max-memory=web=1G,nope=1G", "--max-memory: entry 2 is not a process type of Procfile (its types: web, worker)"},
		{"--max-age=nope=1h", "--max-age: entry 1 is not a process type of Procfile (its types: web, worker)"},
		{"--restart=web,nope", "--restart: entry 2 is not a process type of Procfile (its types: web, worker)"},
		{"--restart=web;rm", "--restart: entry 1 is not a process type (want TYPES, comma-separated, or all)"},
	} {
		for _, cmd := range []string{"check", "start"} {
			stdout, stderr, code := runTend(t, dir, nil, cmd, c.flag)
			if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stdout, "started") {
				t.Errorf("%s %s: exit %d, stderr %q, want exit 2 and %q before anything starts", cmd, c.flag, code, stderr, c.want)
			}
		}
	}
}

// --max-memory end to end: a worker whose group grows past the limit is
// recycled, the figure is logged, and tend status and /metrics show its
// memory and recycles.
func TestMaxMemoryEndToEnd(t *testing.T) {
	if !procfs.CanMeasure {
		t.Skip("needs /proc")
	}
	t.Parallel()
	addr := freePort(t)
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"worker: echo worker up; dd if=/dev/zero bs=40M count=1 2>/dev/null | sleep 60\n" +
		"web: sleep 60\n"})
	sock := filepath.Join(t.TempDir(), "sock")
	env := []string{"TEND_SOCKET=" + sock}
	p := startTend(t, dir, env, "start", "--max-memory", "worker=16M", "--memory-sample-every", "50ms", "--metrics-addr", addr, "--restart=worker")
	p.waitOutput("above its --max-memory 16.0M for 2 samples in a row: recycling it")
	if !regexp.MustCompile(`worker\.1 uses \d+\.\dM of memory in \d processes`).MatchString(p.stdout.String()) {
		t.Errorf("no figure logged:\n%s", p.stdout)
	}
	waitFor(t, "the recycled worker", func() bool { return strings.Count(p.stdout.String(), "worker.1 | worker up") >= 2 })
	stdout, _, _ := runTend(t, dir, env, "status")
	if !strings.Contains(stdout, "MEMORY") || !strings.Contains(stdout, "RECYCLES") || !regexp.MustCompile(`worker\.1 .* \d+ \(memory\)`).MatchString(stdout) {
		t.Errorf("tend status:\n%s", stdout)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`tend_process_recycles_total\{process="worker.1",reason="memory",type="worker"\} [1-9]`),
		regexp.MustCompile(`tend_process_recycles_total\{process="web.1",reason="exit0",type="web"\} 0`),
		regexp.MustCompile(`tend_process_resident_memory_bytes\{process="web.1",type="web"\} [1-9]`),
		regexp.MustCompile(`tend_process_cpu_seconds_total\{process="web.1",type="web"\} `),
	} {
		if !want.Match(body) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

// tend restart TYPE rolls; --all-at-once restarts every instance at once.
func TestRestartRollingAndAllAtOnce(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "sock")
	env := []string{"TEND_SOCKET=" + sock}
	dir := writeApp(t, map[string]string{"Procfile": "worker: echo up; exec sleep 60\n"})
	p := startTend(t, dir, env, "start", "-m", "worker=2")
	waitFor(t, "two workers", func() bool { return strings.Count(p.stdout.String(), "| up") == 2 })
	if _, stderr, code := runTend(t, dir, env, "restart", "worker"); code != 0 {
		t.Fatalf("restart: exit %d, %s", code, stderr)
	}
	p.waitOutput("restart worker requested through the control socket (rolling: one instance of a type at a time)")
	waitFor(t, "two restarted workers", func() bool { return strings.Count(p.stdout.String(), "| up") == 4 })
	if _, stderr, code := runTend(t, dir, env, "restart", "--all-at-once", "worker"); code != 0 {
		t.Fatalf("restart --all-at-once: exit %d, %s", code, stderr)
	}
	p.waitOutput("restart worker requested through the control socket (all at once)")
	waitFor(t, "two restarted workers", func() bool { return strings.Count(p.stdout.String(), "| up") == 6 })
	snap := statusOf(t, dir, env)
	for _, proc := range snap.Processes {
		if proc.Recycles["manual"] != 2 || proc.LastRecycle != "manual" {
			t.Errorf("%s recycles %v, want 2 manual", proc.Name, proc.Recycles)
		}
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

// A cron job's failed run: TEND_OUTPUT_TAIL holds that run's output, not
// the earlier run's, and the next run that exits 0 is a recovery.
func TestCronFailureHookTailAndRecovery(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "n=$(cat runs 2>/dev/null || echo 0); echo $((n+1)) > runs; echo run $n; [ $n = 1 ] && exit 3; exit 0", "schedule": "@every 1s"}]}`,
		"hook.sh":  "#!/bin/sh\nprintf '%s|%s|%s\\n' \"$TEND_EVENT\" \"$TEND_FAILURES\" \"$TEND_OUTPUT_TAIL\" >> hook.out\n",
	})
	p := startTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}, "start", "--on-failure", "sh hook.sh")
	waitFor(t, "two hooks", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "hook.out"))
		return strings.Count(string(b), "\n") >= 3
	})
	b, _ := os.ReadFile(filepath.Join(dir, "hook.out"))
	if !strings.HasPrefix(string(b), "failed|1|run 1\n\nrecovered|0|run 2\n") {
		t.Errorf("hooks:\n%s", b)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

// Giving up on a type (the back-off shortened with the hidden
// --crash-backoff): with --can-die it shows failed, status --check fails
// (and /healthz: metrics' tests) and the rest runs; without, tend exits
// with its status.
func TestGiveUpPerTypeEndToEnd(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: sleep 60\ncrash: echo crashing; exit 7\n"})
	sock := filepath.Join(t.TempDir(), "sock")
	env := []string{"TEND_SOCKET=" + sock}
	p := startTend(t, dir, env, "start", "--restart=crash", "--can-die=crash", "--crash-backoff=5ms")
	p.waitFor("crash.1 stopped 10 times in a row within 1m0s; giving up on crash", p.stderr)
	waitFor(t, "crash.1 failed", func() bool { return statusOf(t, dir, env).Processes[1].State == "failed" })
	if stdout, _, code := runTend(t, dir, env, "status", "--check"); code != 1 || !strings.Contains(stdout, "crash.1 is failed") {
		t.Errorf("status --check with a failed type: exit %d, %q", code, stdout)
	}
	if st := statusOf(t, dir, env).Processes[0]; st.Name != "web.1" || st.State != "running" {
		t.Errorf("web.1 %+v, want running", st)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	// Without --can-die: the entrypoint drains and exits with crash's 7.
	stdout, stderr, code := runTend(t, dir, []string{"TEND_SOCKET=" + sock + "2"}, "start", "--restart=crash", "--crash-backoff=5ms")
	if code != 7 || !strings.Contains(stdout, "stopping (crash keeps crashing)") {
		t.Errorf("exit %d, want 7 after giving up\n%s\n%s", code, stdout, stderr)
	}
}
