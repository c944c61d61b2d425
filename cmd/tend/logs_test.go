package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/appjson"
)

// The end-to-end tests of `tend logs`: a real tend start, real processes
// printing known lines, and the real client through the real socket.

// startTendMerged is startTend with stdout and stderr one pipe (`2>&1`),
// so that tend's output has one order, the one `tend logs` must replay.
func startTendMerged(t *testing.T, dir string, env []string, args ...string) *tendProc {
	t.Helper()
	cmd := exec.Command(tendBin, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	p := &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, done: make(chan struct{})}
	p.stderr = p.stdout
	cmd.Stdout, cmd.Stderr = p.stdout, p.stdout
	p.launch()
	return p
}

// linesOf keeps the lines of out that start with one of the prefixes.
func linesOf(out string, prefixes ...string) string {
	var b strings.Builder
	for _, l := range lines(out) {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				b.WriteString(l + "\n")
				break
			}
		}
	}
	return b.String()
}

// waitGo is a Procfile command's wait until the test creates the file go.
const waitGo = "while [ ! -e go ]; do sleep 0.05; done"

func TestLogsReplayWhatStartPrinted(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "web: printf 'web one\\nweb two\\n'; echo 'web err' >&2; " + waitGo + "; echo web later; exec sleep 60\n" +
		"worker: echo 'worker one'; exec sleep 60\n"})
	p := startTendMerged(t, dir, env, "start")
	for _, s := range []string{"web.1    | web one", "web.1    | web two", "web.1    | web err", "worker.1 | worker one"} {
		p.waitOutput(s)
	}
	printed := p.stdout.String()
	logs := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := runTend(t, dir, env, append([]string{"logs"}, args...)...)
		if code != 0 || stderr != "" {
			t.Fatalf("logs %v: exit %d, %s", args, code, stderr)
		}
		return stdout
	}
	if got := logs(); got != printed {
		t.Errorf("tend logs:\n%s\ntend start printed:\n%s", got, printed)
	}
	if got, want := logs("web"), linesOf(printed, "web.1 "); got != want || len(lines(got)) != 3 {
		t.Errorf("logs web:\n%s\nwant:\n%s", got, want)
	}
	if got, want := logs("web.1", "worker"), linesOf(printed, "web.1 ", "worker.1 "); got != want || len(lines(got)) != 4 {
		t.Errorf("logs web.1 worker:\n%s\nwant:\n%s", got, want)
	}
	if got, want := logs("tend"), linesOf(printed, "tend "); got != want || !strings.Contains(got, "web.1 started with pid") {
		t.Errorf("logs tend:\n%s", got)
	}
	all := lines(printed)
	if got, want := logs("-n", "2"), strings.Join(all[len(all)-2:], "\n")+"\n"; got != want {
		t.Errorf("logs -n 2:\n%s\nwant:\n%s", got, want)
	}
	var rec struct{ Time, Process, Stream, Line string }
	if err := json.Unmarshal([]byte(logs("--json", "worker")), &rec); err != nil {
		t.Errorf("logs --json worker: %v", err)
	} else if _, err := time.Parse(time.RFC3339Nano, rec.Time); err != nil || rec.Process != "worker.1" || rec.Stream != "stdout" || rec.Line != "worker one" {
		t.Errorf("logs --json worker: %+v (%v)", rec, err)
	}
	// --since: the lines printed after a moment, and none from 1ns ago.
	since := time.Now()
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p.waitOutput("web.1    | web later")
	if got := logs("--since", since.Format(time.RFC3339Nano)); got != "web.1    | web later\n" {
		t.Errorf("logs --since %s: %q", since.Format(time.RFC3339Nano), got)
	}
	if got := logs("--since", "1ns"); got != "" {
		t.Errorf("logs --since 1ns: %q", got)
	}
	if got := logs("--since", "1h", "web"); got != linesOf(p.stdout.String(), "web.1 ") {
		t.Errorf("logs --since 1h web: %q", got)
	}
	_, stderr, code := runTend(t, dir, env, "logs", "nope")
	if code != 1 || !strings.Contains(stderr, `"nope"`) || !strings.Contains(stderr, "web.1, worker.1") {
		t.Errorf("logs nope: exit %d, %q", code, stderr)
	}
	_, stderr, code = runTend(t, dir, env, "logs", "--since", "x")
	if code != 2 || !strings.Contains(stderr, "invalid --since") {
		t.Errorf("logs --since x: exit %d, %q", code, stderr)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	_, stderr, code = runTend(t, dir, env, "logs")
	if code != 1 || !strings.Contains(stderr, "no tend running for this app") {
		t.Errorf("logs without a tend: exit %d, %q", code, stderr)
	}
}

func TestLogsFollow(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo before; " + waitGo + "; echo after; exec sleep 60\nworker: exec sleep 60\n"})
	p := startTendMerged(t, dir, env, "start")
	p.waitOutput("web.1    | before")
	web := startTend(t, dir, env, "logs", "--follow", "web")
	all := startTend(t, dir, env, "logs", "--follow")
	web.waitOutput("web.1    | before")
	all.waitOutput("web.1    | before")
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	web.waitOutput("web.1    | after")
	web.signal(syscall.SIGINT)
	if code := web.wait(); code != 0 || web.stdout.String() != "web.1    | before\nweb.1    | after\n" {
		t.Errorf("logs --follow web: exit %d, %q, %s", code, web.stdout, web.stderr)
	}
	// When tend exits the follower has had everything, the drain included.
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("tend start: exit %d", code)
	}
	if code := all.wait(); code != 0 || all.stdout.String() != p.stdout.String() {
		t.Errorf("logs --follow: exit %d, %s\n%s\ntend start printed:\n%s", code, all.stderr, all.stdout, p.stdout)
	}
}

// TestLogsBufferBound: a process that printed 3 MiB leaves its last 1 MiB,
// whole lines up to its last; --log-buffer 0 keeps nothing.
func TestLogsBufferBound(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "web: seq -f 'line %08g' 1 150000; exec sleep 60\n"})
	p := startTend(t, dir, env, "start")
	p.waitOutput("web.1 | line 00150000\n")
	stdout, stderr, code := runTend(t, dir, env, "logs", "web")
	if code != 0 {
		t.Fatalf("logs: exit %d, %s", code, stderr)
	}
	if n := len(stdout); n > 1<<20 || n < 1<<20-64<<10 {
		t.Errorf("kept %d bytes, want about 1 MiB", n)
	}
	got := lines(stdout)
	first := 0
	if _, err := fmt.Sscanf(got[0], "web.1 | line %d", &first); err != nil {
		t.Fatalf("first line %q: %v", got[0], err)
	}
	for i, l := range got {
		if want := fmt.Sprintf("web.1 | line %08d", first+i); l != want {
			t.Fatalf("line %d: %q, want %q", i, l, want)
		}
	}
	if last := first + len(got) - 1; last != 150000 {
		t.Errorf("last line kept: %d", last)
	}
	p.signal(syscall.SIGTERM)
	p.wait()

	off := startTend(t, dir, append(env, "TEND_LOG_BUFFER=0"), "start")
	off.waitOutput("web.1 | line 00150000\n")
	if _, stderr, code := runTend(t, dir, env, "logs"); code != 1 || !strings.Contains(stderr, "--log-buffer 0") {
		t.Errorf("logs with TEND_LOG_BUFFER=0: exit %d, %q", code, stderr)
	}
	off.signal(syscall.SIGTERM)
	off.wait()
	if _, stderr, code := runTend(t, dir, env, "start", "--log-buffer", "1TB"); code != 2 || !strings.Contains(stderr, "invalid --log-buffer") {
		t.Errorf("start --log-buffer 1TB: exit %d, %q", code, stderr)
	}
}

// TestLogsStalledFollower: a follower whose stdout nobody reads holds up
// neither tend start's output nor its processes; once read again it says
// how many lines it missed and goes on with the newest.
func TestLogsStalledFollower(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo ready; " + waitGo + "; seq -f 'line %08g' 1 250000; exec sleep 60\n"})
	p := startTend(t, dir, env, "start")
	p.waitOutput("web.1 | ready")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd := exec.Command(tendBin, "logs", "--follow", "web")
	cmd.Dir, cmd.Env = dir, append(cleanEnv(), env...)
	follower := &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = pw, follower.stderr
	follower.launch()
	pw.Close()
	// Its first line says it follows; then nobody reads its pipe.
	first := make([]byte, len("web.1 | ready\n"))
	readFirst := make(chan error, 1)
	go func() { _, err := io.ReadFull(pr, first); readFirst <- err }()
	select {
	case err := <-readFirst:
		if err != nil || string(first) != "web.1 | ready\n" {
			t.Fatalf("the follower's first line: %q, %v (stderr %s)", first, err, follower.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the follower printed nothing: %s", follower.stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// 5 MiB through tend while the follower's pipe stays full.
	p.waitOutput("web.1 | line 00250000\n")
	read := make(chan struct{})
	go func() {
		_, _ = io.Copy(follower.stdout, pr)
		close(read)
	}()
	follower.waitOutput("web.1 | line 00250000\n")
	follower.signal(syscall.SIGINT)
	if code := follower.wait(); code != 0 {
		t.Errorf("follower: exit %d, %s", code, follower.stderr)
	}
	<-read
	if !strings.Contains(follower.stderr.String(), "lines missed here") {
		t.Errorf("the follower was not told what it missed: %q", follower.stderr)
	}
	if got := follower.stdout.String(); strings.Count(got, "\n") >= 250000 || !strings.HasPrefix(got, "web.1 | line ") {
		t.Errorf("follower's output after its first line: %.100q", got)
	}
}

// TestLogsCron: cron runs by "cron" and by their ID.
func TestLogsCron(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{
		"Procfile": "web: exec sleep 60\n",
		"app.json": `{"cron": [{"command": "echo tick", "schedule": "@every 1s"}]}`,
	})
	p := startTend(t, dir, env, "start")
	p.waitOutput("| tick")
	snap := statusOf(t, dir, env)
	if len(snap.Cron) != 1 {
		t.Fatalf("cron: %+v", snap.Cron)
	}
	want := "cron." + snap.Cron[0].ID + " | tick"
	dokku := appjson.DokkuID("shop", "echo tick", "@every 1s")
	if _, _, code := runTend(t, dir, env, "logs", dokku); dokku == snap.Cron[0].ID || code != 1 {
		t.Errorf("Dokku's ID %s without --app-name: exit %d", dokku, code)
	}
	for _, args := range [][]string{{"cron"}, {snap.Cron[0].ID}, {"cron." + snap.Cron[0].ID}, {"--app-name", "shop", dokku}} {
		name := strings.Join(args, " ")
		stdout, stderr, code := runTend(t, dir, env, append([]string{"logs"}, args...)...)
		got := lines(stdout)
		if code != 0 || len(got) == 0 {
			t.Errorf("logs %s: exit %d, %q %s", name, code, stdout, stderr)
		}
		for _, l := range got {
			if l != want {
				t.Errorf("logs %s: %q, want %q", name, l, want)
			}
		}
	}
}
