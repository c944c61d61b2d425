package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/internal/testkit"
)

// childrenOf lists the pids whose parent is ppid.
func childrenOf(ppid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			out = append(out, pid)
		}
	}
	return out
}

// findTend waits for a descendant of root running the tend binary.
func findTend(t *testing.T, root int) int {
	t.Helper()
	found := 0
	waitFor(t, "tend to start", func() bool {
		queue := []int{root}
		for len(queue) > 0 {
			pid := queue[0]
			queue = queue[1:]
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe == tendBin && pid != root {
				found = pid
				return true
			}
			queue = append(queue, childrenOf(pid)...)
		}
		return false
	})
	return found
}

// startWrapped starts tend under a wrapper command (unshare, script, sh)
// and returns the wrapper's process with tend's own pid.
func startWrapped(t *testing.T, dir string, stdin *os.File, argv ...string) (*tendProc, int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	p := &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p, findTend(t, cmd.Process.Pid)
}

func TestPID1ReapsOrphansAndLetsGrandchildrenDrain(t *testing.T) {
	t.Parallel()
	requireUnshare(t)
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"orphans: (sleep 0.2 &); (sleep 0.3 &); sleep 1.5; echo zombies=$(awk '$3==\"Z\"' /proc/[0-9]*/stat | wc -l); sleep 60\n" +
		"drainer: (trap 'sleep 0.5; echo grandchild finished; exit 0' TERM; echo ready; while :; do sleep 0.1; done) & wait\n"})
	p, tend := startWrapped(t, dir, nil, "unshare", "--pid", "--fork", "--mount-proc", tendBin, "start", "-t", "10")
	p.waitOutput("zombies=0")
	p.waitOutput("drainer.1 | ready")
	if err := syscall.Kill(tend, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d, want 0\n%s%s", code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout.String(), "drainer.1 | grandchild finished") {
		t.Errorf("the grandchild was not allowed to finish:\n%s", p.stdout)
	}
}

func TestSignalLeaderOnly(t *testing.T) {
	t.Parallel()
	procfile := "web: (trap 'exit 0' TERM; while :; do sleep 0.05; done) & child=$!; " +
		"trap 'sleep 0.3; kill -0 $child 2>/dev/null && echo child still running; exit 0' TERM; echo ready; wait\n"
	for _, leaderOnly := range []bool{true, false} {
		dir := writeApp(t, map[string]string{"Procfile": procfile})
		args := []string{"start"}
		if leaderOnly {
			args = append(args, "--signal-leader", "web")
		}
		p := startTend(t, dir, nil, args...)
		p.waitOutput("ready")
		p.signal(syscall.SIGTERM)
		p.wait()
		if got := strings.Contains(p.stdout.String(), "child still running"); got != leaderOnly {
			t.Errorf("leader only %v: child kept running %v\n%s", leaderOnly, got, p.stdout)
		}
	}
}

func requireScript(t *testing.T) {
	t.Helper()
	testkit.NeedProgram(t, "script", "Debian: apt-get install bsdutils")
}

func TestTerminalHangupDrainsAndWinchStaysLocal(t *testing.T) {
	t.Parallel()
	requireScript(t)
	dir := writeApp(t, map[string]string{"Procfile": "web: trap 'echo got WINCH' WINCH; trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done\n"})
	p, tend := startWrapped(t, dir, nil, "script", "-qfec", "exec "+tendBin+" start", "/dev/null")
	p.waitOutput("ready")
	syscall.Kill(tend, syscall.SIGWINCH)
	syscall.Kill(tend, syscall.SIGUSR1)
	p.waitOutput("got USR1")
	if strings.Contains(p.stdout.String(), "got WINCH") {
		t.Error("SIGWINCH from a terminal was forwarded")
	}
	syscall.Kill(tend, syscall.SIGHUP)
	p.waitOutput("received SIGHUP")
	p.wait()
}

func TestTerminalInteractiveChildIsForeground(t *testing.T) {
	t.Parallel()
	requireScript(t)
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p, _ := startWrapped(t, dir, r, "script", "-qfec", "exec "+tendBin+" -- sh -c 'echo ask; read line; echo got $line; exit 3'", "/dev/null")
	r.Close()
	p.waitOutput("ask")
	fmt.Fprintln(w, "hello")
	p.waitOutput("got hello")
	if code := p.wait(); code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
}
