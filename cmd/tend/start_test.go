package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/status"
)

func TestStartPrefixesPaddingAndStreams(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "a: echo out; echo err >&2; exit 3\nlonger: sleep 30\n"})
	stdout, stderr, code := runTend(t, dir, nil, "start")
	if code != 3 {
		t.Errorf("exit code %d, want 3 (the status of a.1)", code)
	}
	if !strings.Contains(stdout, "a.1      | out\n") {
		t.Errorf("stdout lacks padded %q:\n%s", "a.1      | out", stdout)
	}
	if strings.Contains(stdout, "| err") || !strings.Contains(stderr, "a.1      | err\n") {
		t.Errorf("stderr line not on stderr only:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "tend     | a.1 exited with status 3\n") {
		t.Errorf("no exit line in stdout:\n%s", stdout)
	}
}

func TestStartExitCodeTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, command string
		want          int
	}{
		{"exit 0 means stopped", "exit 0", 1},
		{"exit status passes through", "exit 42", 42},
		{"killed by a signal", "kill -KILL $$", 137},
		{"command not found", "no-such-command-tend", 127},
		{"not executable", "./data.txt", 126},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeApp(t, map[string]string{"Procfile": "one: " + tc.command + "\ntwo: sleep 30\n"})
			os.Chmod(filepath.Join(dir, "data.txt"), 0o644)
			if err := os.WriteFile(filepath.Join(dir, "data.txt"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runTend(t, dir, nil, "start")
			if code != tc.want {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, stdout, stderr)
			}
		})
	}
}

func TestStartFormationPortsAndNames(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"release: echo release ran\n" +
		"worker: echo $PS $DYNO $PORT; sleep 30\n" +
		"web: echo $PS $DYNO $PORT; sleep 30\n" +
		"clock: echo $PS $PORT; sleep 30\n"})
	p := startTend(t, dir, nil, "start", "-m", "web=2,worker=1,all=1")
	for _, want := range []string{
		"web.1    | web.1 web.1 5000", "web.2    | web.2 web.2 5001",
		"worker.1 | worker.1 worker.1 5100", "clock.1  | clock.1 5200",
	} {
		p.waitOutput(want)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if out := p.stdout.String(); strings.Contains(out, "release") {
		t.Errorf("release was started:\n%s", out)
	}
}

func TestStartPortFromEnvironmentAndFlag(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo port=$PORT; sleep 30\n"})
	p := startTend(t, dir, []string{"PORT=8080"}, "start")
	p.waitOutput("port=8080")
	p.signal(syscall.SIGTERM)
	p.wait()
	p = startTend(t, dir, []string{"PORT=8080"}, "start", "web", "-p", "3000")
	p.waitOutput("port=3000")
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestStartDrainRunsTrapHandlers(t *testing.T) {
	t.Parallel()
	// The worker takes a while to finish its job after SIGTERM; a second
	// SIGTERM (Dokku sends two) must neither cut it short nor escalate.
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"worker: trap 'sleep 1; echo job finished; exit 0' TERM; echo ready; while :; do sleep 0.1; done\n" +
		"web: sleep 30\n"})
	p := startTend(t, dir, nil, "start")
	p.waitOutput("worker.1 | ready")
	p.signal(syscall.SIGTERM)
	p.waitOutput("stopping")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d, want 0\n%s%s", code, p.stdout, p.stderr)
	}
	out := p.stdout.String()
	if !strings.Contains(out, "worker.1 | job finished") {
		t.Errorf("the trap handler did not finish:\n%s", out)
	}
	if !strings.Contains(out, "received SIGTERM again") || strings.Contains(p.stderr.String(), "SIGKILL") {
		t.Errorf("second SIGTERM not reported or escalated:\nstdout:\n%s\nstderr:\n%s", out, p.stderr)
	}
}

func TestStartTimeoutKillsAndExits137(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "stubborn: trap '' TERM; echo ready; while :; do sleep 0.1; done\n"})
	p := startTend(t, dir, nil, "start", "-t", "0.5")
	p.waitOutput("ready")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 137 {
		t.Errorf("exit code %d, want 137", code)
	}
	if !strings.Contains(p.stderr.String(), "stubborn.1 still running after timeout: sending SIGKILL") {
		t.Errorf("no kill message:\n%s", p.stderr)
	}
}

func TestStartSecondInterruptKillsAtOnce(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "stubborn: trap '' TERM INT; echo ready; while :; do sleep 0.1; done\n"})
	p := startTend(t, dir, nil, "start", "-t", "60")
	p.waitOutput("ready")
	p.signal(syscall.SIGINT)
	p.waitOutput("stopping")
	p.signal(syscall.SIGINT)
	if code := p.wait(); code != 137 {
		t.Errorf("exit code %d, want 137", code)
	}
}

func TestStartPerTypeStopSignal(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "worker: trap 'echo got QUIT; exit 0' QUIT; trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done\n"})
	p := startTend(t, dir, []string{"TEND_STOP_SIGNAL=worker=QUIT"}, "start")
	p.waitOutput("ready")
	p.signal(syscall.SIGTERM)
	p.wait()
	if out := p.stdout.String(); !strings.Contains(out, "worker.1 | got QUIT") {
		t.Errorf("worker did not get SIGQUIT:\n%s", out)
	}
}

// USR1 is always forwarded; WINCH only when stdin is not a terminal (it is
// not one here).
func TestStartForwardsSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []struct {
		name string
		num  syscall.Signal
	}{{"USR1", syscall.SIGUSR1}, {"WINCH", syscall.SIGWINCH}} {
		t.Run(sig.name, func(t *testing.T) {
			dir := writeApp(t, map[string]string{"Procfile": "web: trap 'echo got " + sig.name + "' " + sig.name + "; echo ready; while :; do sleep 0.05; done\n"})
			p := startTend(t, dir, nil, "start")
			p.waitOutput("ready")
			p.signal(sig.num)
			p.waitOutput("web.1 | got " + sig.name)
			p.signal(syscall.SIGTERM)
			p.wait()
		})
	}
}

func TestStartLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"web: sleep 300 & echo $! >> pids; setsid sh -c 'trap \"\" TERM; while :; do sleep 0.1; done' & echo $! >> pids; echo ready; wait\n"})
	p := startTend(t, dir, nil, "start", "-t", "1")
	p.waitOutput("ready")
	pids := readPids(t, filepath.Join(dir, "pids"))
	if len(pids) != 2 {
		t.Fatalf("pids: %v", pids)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	for _, pid := range pids {
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("pid %d survived tend\n%s%s", pid, p.stdout, p.stderr)
		}
	}
}

func TestStartNothingLostInOrder(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "seq: seq 1 200000\n"})
	stdout, _, _ := runTend(t, dir, nil, "start", "--no-prefix")
	n := 0
	for _, line := range lines(stdout) {
		if strings.HasPrefix(line, "tend: ") {
			continue
		}
		n++
		if line != fmt.Sprint(n) {
			t.Fatalf("line %d is %q", n, line)
		}
	}
	if n != 200000 {
		t.Errorf("got %d lines, want 200000", n)
	}
}

func TestStartConcurrentWritersNeverMix(t *testing.T) {
	t.Parallel()
	var procfile strings.Builder
	for i := range 4 {
		rec := strings.Repeat(fmt.Sprint(i), 300)
		fmt.Fprintf(&procfile, "w%d: yes %s | head -n 20000\n", i, rec)
	}
	dir := writeApp(t, map[string]string{"Procfile": procfile.String()})
	stdout, _, _ := runTend(t, dir, nil, "start", "--can-die", "w0,w1,w2,w3")
	counts := map[string]int{}
	for _, line := range lines(stdout) {
		name, content, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("line without prefix: %q", line)
		}
		if name == "tend" {
			continue
		}
		i := strings.TrimPrefix(strings.TrimSpace(name), "w")[:1]
		if content != strings.Repeat(i, 300) {
			t.Fatalf("mixed or cut line from %s: %q", name, content)
		}
		counts[name]++
	}
	for i := range 4 {
		if got := counts[fmt.Sprintf("w%d.1", i)]; got != 20000 {
			t.Errorf("w%d.1: %d lines, want 20000", i, got)
		}
	}
}

func TestStartLongAndUnterminatedLines(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"big: head -c 1048576 /dev/zero | tr '\\0' a; echo; printf 'no newline at the end'\n"})
	stdout, _, _ := runTend(t, dir, nil, "start")
	var big, last bool
	for _, line := range lines(stdout) {
		if line == "big.1 | "+strings.Repeat("a", 1<<20) {
			big = true
		}
		if line == "big.1 | no newline at the end" {
			last = true
		}
	}
	if !big || !last {
		t.Errorf("1 MiB line whole: %v; last line completed: %v", big, last)
	}
}

func TestStartRestartWithBackoff(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "flaky: echo run; exit 1\nweb: sleep 30\n"})
	p := startTend(t, dir, nil, "start", "--restart")
	p.waitOutput("restarting flaky.1 in 1s")
	p.waitOutput("restarting flaky.1 in 2s")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if n := strings.Count(p.stdout.String(), "flaky.1 | run"); n < 2 {
		t.Errorf("flaky ran %d times, want at least 2", n)
	}
}

func TestStartCanDie(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "setup: echo setup done\nweb: echo ready; sleep 30\n"})
	p := startTend(t, dir, nil, "start", "--can-die", "setup")
	p.waitOutput("setup.1 exited with status 0")
	p.waitOutput("web.1   | ready")
	// The exit line is queued by the step that decides what the exit
	// means, so the status answered after it shows that decision.
	stdout, stderr, code := runTend(t, dir, nil, "status", "--json")
	var snap status.Snapshot
	if err := json.Unmarshal([]byte(stdout), &snap); err != nil || code != 0 {
		t.Fatalf("status: exit %d, %v\n%s%s\ntend:\n%s", code, err, stdout, stderr, p.stdout)
	}
	web := slices.IndexFunc(snap.Processes, func(ps status.Process) bool { return ps.Name == "web.1" })
	if snap.Draining || web < 0 || snap.Processes[web].State != "running" {
		t.Fatalf("tend is stopping after a --can-die process exited: %+v\n%s", snap, p.stdout)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestStartReleaseFirst(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "release: echo migrating\nweb: echo web up; sleep 30\n"})
	p := startTend(t, dir, nil, "start", "--release")
	p.waitOutput("web.1     | web up")
	out := p.stdout.String()
	if i, j := strings.Index(out, "migrating"), strings.Index(out, "web up"); i < 0 || i > j {
		t.Errorf("release did not run first:\n%s", out)
	}
	p.signal(syscall.SIGTERM)
	p.wait()

	dir = writeApp(t, map[string]string{"Procfile": "release: exit 4\nweb: echo web up; sleep 30\n"})
	stdout, stderr, code := runTend(t, dir, nil, "start", "--release")
	if code != 4 || strings.Contains(stdout, "web up") {
		t.Errorf("failed release: exit %d, want 4, and web must not start\n%s%s", code, stdout, stderr)
	}
}

func TestStartLogFormats(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo 'say \"hi\"'; echo oops >&2; exit 2\n"})
	stdout, stderr, _ := runTend(t, dir, nil, "start", "--log-format", "json")
	var rec map[string]string
	for _, line := range lines(stdout) {
		if strings.Contains(line, `"process":"web.1"`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rec["line"] != `say "hi"` || rec["stream"] != "stdout" || rec["time"] == "" {
		t.Errorf("JSON record %v from\n%s", rec, stdout)
	}
	if !strings.Contains(stderr, `"process":"web.1","stream":"stderr","line":"oops"`) {
		t.Errorf("stderr: %s", stderr)
	}
	stdout, _, _ = runTend(t, dir, nil, "start", "--timestamp")
	if !regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d web.1 \| say "hi"$`).MatchString(stdout) {
		t.Errorf("no timestamped line:\n%s", stdout)
	}
}

// -x (TEND_EXCLUDE) leaves types out, as overmind's does.
func TestStartExclude(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\nworker: echo worker up; sleep 60\nclock: echo clock up; sleep 60\n"})
	p := startTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s"), "TEND_EXCLUDE=clock"}, "start", "-x", "worker")
	p.waitOutput("web up")
	p.waitOutput("clock up") // TEND_EXCLUDE is overridden by -x, as every TEND_* variable by its flag
	p.signal(syscall.SIGTERM)
	p.wait()
	if out := p.stdout.String(); strings.Contains(out, "worker") {
		t.Errorf("-x worker with TEND_EXCLUDE=clock:\n%s", out)
	}
}

// A project's .tend sets tend's own settings: weaker than the real
// environment and the flags, shown by check, never given to the processes.
func TestProjectDefaults(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web has ${TEND_FORMATION:-no tend settings}; sleep 60\n",
		".tend":    "TEND_FORMATION=web=2\nTEND_WACTH=1\n",
	})
	sock := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	count := func(env []string, args ...string) int {
		p := startTend(t, dir, append(sock, env...), append([]string{"start"}, args...)...)
		p.waitOutput("web has")
		p.signal(syscall.SIGTERM)
		p.wait()
		out := p.stdout.String()
		if len(env) == 0 && !strings.Contains(out, "web has no tend settings") {
			t.Errorf(".tend reached the process:\n%s", out)
		}
		return strings.Count(out, " started with pid")
	}
	if n := count(nil); n != 2 {
		t.Errorf(".tend's TEND_FORMATION=web=2: %d instances", n)
	}
	if n := count([]string{"TEND_FORMATION=web=1"}); n != 1 {
		t.Errorf("the real environment's TEND_FORMATION=web=1: %d instances", n)
	}
	if n := count(nil, "-m", "web=3"); n != 3 {
		t.Errorf("-m web=3: %d instances", n)
	}
	stdout, _, code := runTend(t, dir, nil, "check")
	if code != 0 || !strings.Contains(stdout, "settings from .tend: TEND_FORMATION") || !strings.Contains(stdout, "unknown setting TEND_WACTH (did you mean TEND_WATCH?)") {
		t.Errorf("check: exit %d\n%s", code, stdout)
	}
	bad := writeApp(t, map[string]string{"Procfile": "web: sleep 1\n", ".tend": "TEND_WATCH=1\nnot a line\n"})
	if _, stderr, code := runTend(t, bad, nil, "check"); code != 1 || !strings.Contains(stderr, ".tend:2:") {
		t.Errorf("malformed .tend: exit %d\n%s", code, stderr)
	}
}
