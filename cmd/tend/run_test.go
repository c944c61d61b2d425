package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestExecModeExitCodes(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web\n", "notexec": "#!/bin/sh\n"})
	if err := os.Chmod(filepath.Join(dir, "notexec"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--", "sh", "-c", "exit 7"}, 7},
		{[]string{"sh", "-c", "exit 9"}, 9},
		{[]string{"run", "--", "sh", "-c", "exit 5"}, 5},
		{[]string{"--", "sh", "-c", "kill -TERM $$"}, 143},
		{[]string{"no-such-command-tend"}, 127},
		{[]string{"--", "./notexec"}, 126},
		{[]string{"true"}, 0},
	} {
		_, stderr, code := runTend(t, dir, nil, tc.args...)
		if code != tc.want {
			t.Errorf("tend %s: exit %d, want %d (stderr %q)", strings.Join(tc.args, " "), code, tc.want, stderr)
		}
	}
}

func TestExecModeCommandForms(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web-ran\nrake: echo rake\n"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"web"}, "web-ran\n"},
		{[]string{"rake", "db:migrate"}, "rake db:migrate\n"},
		{[]string{"echo a; echo b"}, "a\nb\n"},
		{[]string{"echo", "a", "&&", "echo", "b"}, "a\nb\n"},
		{[]string{"echo", "$HOME"}, "$HOME\n"},
		// One argument is a command line, as in a Procfile: a builtin runs
		// in a shell (it used to be exec'd and fail with 127).
		{[]string{"run", "cd /tmp && pwd"}, "/tmp\n"},
		{[]string{"run", "cd"}, ""},
		{[]string{"run", "echo plain words"}, "plain words\n"},
	} {
		stdout, stderr, code := runTend(t, dir, nil, tc.args...)
		if stdout != tc.want || code != 0 {
			t.Errorf("tend %q: %q (exit %d, stderr %q), want %q", tc.args, stdout, code, stderr, tc.want)
		}
	}
}

func TestExecModeDashDashProtectsCommandNames(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	// With ENTRYPOINT ["tend", "--"], a command called "start" is run, not
	// read as tend's subcommand.
	_, stderr, code := runTend(t, dir, nil, "--", "start")
	if code != 127 || !strings.Contains(stderr, "start: command not found") {
		t.Errorf("tend -- start: exit %d, stderr %q", code, stderr)
	}
}

func TestExecModeIgnoresBrokenProcfile(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "this is not a procfile\n", ".env": "GREETING=hello from .env\n"})
	stdout, stderr, code := runTend(t, dir, nil, "--", "sh", "-c", "echo $GREETING")
	if code != 0 || stdout != "hello from .env\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestExecModeRealEnvironmentWins(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n", ".env": "A=file\nB=file\n"})
	stdout, _, _ := runTend(t, dir, []string{"B=real"}, "--", "sh", "-c", "echo $A $B")
	if stdout != "file real\n" {
		t.Errorf("got %q, want %q", stdout, "file real\n")
	}
}

func TestExecModeForwardsSignals(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	p := startTend(t, dir, nil, "--", "sh", "-c", "trap 'echo got USR1' USR1; trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done")
	p.waitOutput("ready")
	p.signal(syscall.SIGUSR1)
	p.waitOutput("got USR1")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
}

func TestExecModeStopSignalFromDyno(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	p := startTend(t, dir, []string{"DYNO=worker.1", "TEND_STOP_SIGNAL=worker=QUIT"}, "--", "sh", "-c", "trap 'echo got QUIT; exit 0' QUIT; echo ready; while :; do sleep 0.1; done")
	p.waitOutput("ready")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 || !strings.Contains(p.stdout.String(), "got QUIT") {
		t.Errorf("exit %d, stdout %q", code, p.stdout)
	}
}

func TestExecModeOnALaptopLeavesBackgroundJobs(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	stdout, _, code := runTend(t, dir, nil, "--", "sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!")
	pids := readPidsFrom(t, stdout)
	t.Cleanup(func() { syscall.Kill(pids[0], syscall.SIGKILL) })
	if code != 0 || !alive(pids[0]) {
		t.Errorf("exit %d; the background job (pid %d) must survive tend outside a container", code, pids[0])
	}
}

func TestExecModeAsPID1StopsLeftoversGracefully(t *testing.T) {
	t.Parallel()
	requireUnshare(t)
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	script := "(trap 'echo stopped > bye; exit 0' TERM; touch trapped; while :; do sleep 0.05; done) & " +
		"while [ ! -e trapped ]; do sleep 0.01; done; echo started; exit 4"
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", tendBin, "--", "sh", "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 4 || !strings.Contains(string(out), "started") {
		t.Fatalf("exit %d, output %q", code, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "bye")); err != nil || string(b) != "stopped\n" {
		t.Errorf("the leftover was not stopped gracefully: %v %q", err, b)
	}
}

func requireUnshare(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("PID namespaces need root")
	}
	if err := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("unshare --pid does not work here: %v", err)
	}
}

func readPidsFrom(t *testing.T, s string) []int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pids")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	pids := readPids(t, path)
	if len(pids) == 0 {
		t.Fatalf("no pid in %q", s)
	}
	return pids
}

func TestNoArgumentsMeansStart(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo formation ran; exit 3\n"})
	for _, args := range [][]string{nil, {"--"}, {"-t", "5"}} {
		stdout, _, code := runTend(t, dir, nil, args...)
		if code != 3 || !strings.Contains(stdout, "web.1 | formation ran") {
			t.Errorf("tend %q: exit %d\n%s", args, code, stdout)
		}
	}
}
