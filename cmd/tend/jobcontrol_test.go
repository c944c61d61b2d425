package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
)

// interactiveShell runs an interactive bash on a pseudo-terminal (script)
// in dir; what the test writes to the returned pipe is typed on it.
func interactiveShell(t *testing.T, dir string) (*tendProc, io.Writer) {
	t.Helper()
	requireScript(t)
	testkit.NeedProgram(t, "bash", "Debian: apt-get install bash")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	cmd := exec.Command("script", "-qfec", "bash --norc --noprofile -i", "/dev/null")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "PS1=$ ", "TERM=dumb")
	cmd.Stdin = r
	p := &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	p.launch()
	r.Close()
	return p, w
}

// typeLine types s and a newline. Markers the test waits for are written
// with quotes in them ("al""ive") so that the echo of the typed line never
// matches.
func typeLine(w io.Writer, s string) { fmt.Fprint(w, s+"\n") }

// waitState waits until pid is in one of the /proc states.
func waitState(t *testing.T, pid int, states string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(states, procState(pid)) || procState(pid) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d is in state %q, want one of %q", pid, procState(pid), states)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Ctrl-Z on `tend -- CMD` (and `tend run CMD`) stops the command and tend, gives the prompt back,
// and `fg` gives the command the terminal again (dumb-init's behaviour).
func TestCtrlZAndFgInExecMode(t *testing.T) {
	for _, mode := range []string{"--", "run"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ctrlZAndFg(t, mode)
		})
	}
}

// ctrlZAndFg stops `tend MODE sh …` with Ctrl-Z, then brings it back.
func ctrlZAndFg(t *testing.T, mode string) {
	p, w := interactiveShell(t, t.TempDir())
	typeLine(w, tendBin+" "+mode+` sh -c 'echo st""arted; read x; echo "g""ot $x"'`)
	p.waitOutput("started")
	fmt.Fprint(w, "\x1a") // Ctrl-Z
	p.waitOutput("Stopped")
	typeLine(w, `echo al""ive`)
	p.waitOutput("alive")
	typeLine(w, "fg") // bash reads a character at a time: "hello" waits for the command
	typeLine(w, "hello")
	p.waitOutput("got hello")
	typeLine(w, `echo "ex""ited $?"`)
	p.waitOutput("exited 0")
	typeLine(w, "exit")
	p.wait()
}

// `tend -- CMD &` leaves the terminal to the shell: tend takes the
// foreground only when it has it.
func TestBackgroundTendLeavesTheTerminal(t *testing.T) {
	t.Parallel()
	p, w := interactiveShell(t, t.TempDir())
	typeLine(w, tendBin+" -- sleep 60 &")
	tend := findTend(t, p.cmd.Process.Pid)
	waitFor(t, "tend's command", func() bool {
		for _, pid := range childrenOf(tend) {
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); strings.HasSuffix(exe, "/sleep") {
				return true
			}
		}
		return false
	})
	tendGroup, _ := syscall.Getpgid(tend) // a background job's group is not the shell's
	if fg := terminalGroup(t, tend); fg == tendGroup || fg != shellGroup(t, tend) {
		t.Errorf("the terminal's foreground group is %d; tend's group %d", fg, tendGroup)
	}
	syscall.Kill(tend, syscall.SIGTERM)
	typeLine(w, `wait $!; echo "st""ill here $?"`)
	p.waitOutput("still here 143")
	typeLine(w, "exit")
	p.wait()
}

// terminalGroup is the foreground group of pid's controlling terminal
// (tpgid in /proc/PID/stat).
func terminalGroup(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	tpgid, err := strconv.Atoi(f[5])
	if err != nil {
		t.Fatal(err)
	}
	return tpgid
}

// shellGroup is the process group of the interactive shell that started
// pid as a background job: its parent's group. (script may run the shell
// through $SHELL -c, so the shell is not always script's own child.)
func shellGroup(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatal(err)
	}
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", ppid)); !strings.HasSuffix(exe, "/bash") {
		t.Fatalf("tend's parent %d runs %q, not bash", ppid, exe)
	}
	pgid, err := syscall.Getpgid(ppid)
	if err != nil {
		t.Fatal(err)
	}
	return pgid
}

// Ctrl-Z on `tend start` stops every process with tend; `fg` continues them.
func TestCtrlZStopsTheWholeFormation(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo $$ > web.pid; while :; do sleep 0.05; done\n"})
	p, w := interactiveShell(t, dir)
	typeLine(w, tendBin+" start")
	pidFile := filepath.Join(dir, "web.pid")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if data, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(data), "\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("web did not start:\n%s", p.stdout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	web := readPids(t, pidFile)[0]
	tend := findTend(t, p.cmd.Process.Pid)
	fmt.Fprint(w, "\x1a")
	p.waitOutput("Stopped")
	waitState(t, web, "T")
	waitState(t, tend, "T")
	typeLine(w, "fg")
	waitState(t, web, "SR")
	waitState(t, tend, "SR")
	fmt.Fprint(w, "\x03") // Ctrl-C: the drain
	p.waitOutput("received SIGINT")
	typeLine(w, `echo "do""ne"`)
	p.waitOutput("done")
	if alive(web) {
		t.Errorf("web (pid %d) survived tend", web)
		syscall.Kill(web, syscall.SIGKILL)
	}
	typeLine(w, "exit")
	p.wait()
}

// As PID 1 on a terminal (docker run -it) tend cannot stop itself, and no
// shell would continue the command: Ctrl-Z stops the command for a moment
// and tend continues it at once, so it still reads the keyboard.
func TestCtrlZAsPID1ContinuesTheCommand(t *testing.T) {
	t.Parallel()
	requireScript(t)
	requireUnshare(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p, _ := startWrapped(t, t.TempDir(), r, "script", "-qfec",
		"unshare --pid --fork --mount-proc "+tendBin+` -- sh -c 'echo st""arted; read x; echo "g""ot $x"; exit 4'`, "/dev/null")
	r.Close()
	p.waitOutput("started")
	fmt.Fprint(w, "\x1a") // Ctrl-Z
	fmt.Fprintln(w, "hello")
	p.waitOutput("got hello")
	if code := p.wait(); code != 4 {
		t.Errorf("exit %d, want 4\n%s", code, p.stdout)
	}
}
