package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The tests of --tty and tend attach: a real tend start, a child on the
// terminal tend holds, and the real attach client on a real pseudo-terminal
// of the test's (what a developer's terminal is).

// echoer reads lines from its terminal and answers each with the line and
// the terminal's size, as a debugger's prompt would read commands.
const echoer = `while read -r line; do echo "got: $line"; stty size; done`

// attachClient is `tend attach` on a terminal of the test's.
type attachClient struct {
	t      *testing.T
	cmd    *exec.Cmd
	term   *os.File // the test's end of the client's terminal
	out    *syncBuffer
	done   chan struct{} // the client exited
	read   chan struct{} // everything it printed has been read
	code   int
	tendOf *tendProc
}

func startAttach(t *testing.T, tend *tendProc, env []string, size *pty.Winsize, target string) *attachClient {
	t.Helper()
	cmd := exec.Command(tendBin, "attach", target)
	cmd.Dir = tend.cmd.Dir
	cmd.Env = append(cleanEnv(), env...)
	term, err := pty.StartWithSize(cmd, size)
	if err != nil {
		t.Fatal(err)
	}
	a := &attachClient{t: t, cmd: cmd, term: term, out: &syncBuffer{}, done: make(chan struct{}), read: make(chan struct{}), tendOf: tend}
	go func() {
		_, _ = io.Copy(a.out, term) // ends with EIO once the client is gone
		close(a.read)
	}()
	go func() {
		_ = cmd.Wait()
		a.code = cmd.ProcessState.ExitCode()
		close(a.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-a.done
		term.Close()
	})
	return a
}

// wait waits for the client to exit and for what it printed last.
func (a *attachClient) wait() {
	a.t.Helper()
	select {
	case <-a.done:
	case <-time.After(30 * time.Second):
		a.t.Fatalf("tend attach did not exit; its terminal:\n%q", a.out.String())
	}
	<-a.read
}

// waitFor waits until the client's terminal shows s.
func (a *attachClient) waitFor(s string) {
	a.t.Helper()
	if !eventually(30*time.Second, func() bool { return strings.Contains(a.out.String(), s) }) {
		a.t.Fatalf("no %q on the attach terminal:\n%q\ntend's stdout:\n%s\nstderr:\n%s", s, a.out.String(), a.tendOf.stdout, a.tendOf.stderr)
	}
}

func (a *attachClient) typeKeys(s string) {
	a.t.Helper()
	if _, err := a.term.Write([]byte(s)); err != nil {
		a.t.Fatal(err)
	}
}

var startedPid = regexp.MustCompile(`worker\.1 started with pid (\d+)`)

func TestAttachTypesAnswersResizesAndDetaches(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "worker: " + echoer + "\nplain: exec sleep 60\n"})
	p := startTend(t, dir, env, "start", "--tty", "worker")
	p.waitOutput("worker.1 started with pid")
	pid, _ := strconv.Atoi(startedPid.FindStringSubmatch(p.stdout.String())[1])

	a := startAttach(t, p, env, &pty.Winsize{Rows: 33, Cols: 101}, "worker")
	a.waitFor("attached to worker.1; Ctrl-] detaches")
	a.typeKeys("hello\r")
	a.waitFor("got: hello")
	a.waitFor("33 101")
	// The same answer is in tend's output, in whole prefixed lines, with
	// the terminal's CR LF as LF.
	p.waitOutput("worker.1 | got: hello\n")
	p.waitOutput("worker.1 | 33 101\n")

	// The client's window changes: the child sees the new size.
	if err := pty.Setsize(a.term, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new size to reach the child", func() bool {
		a.typeKeys("size\r")
		return eventually(2*time.Second, func() bool { return strings.Contains(a.out.String(), "40 120") })
	})
	p.waitOutput("worker.1 | 40 120\n")

	// One attach at a time.
	_, stderr, code := runTend(t, dir, env, "attach", "worker.1")
	if code != 1 || !strings.Contains(stderr, "worker.1: another tend attach is connected to it") {
		t.Errorf("second attach: exit %d, stderr %q", code, stderr)
	}

	// Ctrl-] detaches; the worker keeps running, and takes another attach.
	a.typeKeys("\x1d")
	a.wait()
	if a.code != 0 || !strings.Contains(a.out.String(), "detached from worker.1, which keeps running") {
		t.Errorf("detach: exit %d, terminal %q", a.code, a.out.String())
	}
	if !alive(pid) {
		t.Fatalf("worker.1 (pid %d) did not survive the detach", pid)
	}
	b := startAttach(t, p, env, &pty.Winsize{Rows: 24, Cols: 80}, "worker.1")
	b.waitFor("attached to worker.1")
	b.typeKeys("again\r")
	b.waitFor("got: again")
	if strings.Count(p.stdout.String(), "worker.1 started") != 1 {
		t.Errorf("worker.1 was restarted:\n%s", p.stdout)
	}
	for _, l := range lines(p.stdout.String()) {
		if strings.Contains(l, "\r") {
			t.Errorf("a CR in tend's output: %q", l)
		}
	}

	// When the instance ends, so does the session.
	p.signal(syscall.SIGTERM)
	b.wait()
	if !strings.Contains(b.out.String(), "worker.1's terminal closed") {
		t.Errorf("attach at the end: %q", b.out.String())
	}
	if code := p.wait(); code != 143 && code != 0 {
		t.Errorf("tend exit %d", code)
	}
	if alive(pid) {
		t.Errorf("worker.1 (pid %d) left running", pid)
	}
}

func TestAttachErrors(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "worker: " + echoer + "\nplain: exec sleep 60\ngone: exit 0\n"})
	p := startTend(t, dir, env, "start", "--tty", "worker,gone", "--can-die", "gone", "-m", "worker=2,plain=1,gone=1")
	p.waitOutput("gone.1 exited with status 0")
	for _, c := range []struct{ target, want string }{
		{"plain.1", "plain.1 has no terminal to attach to: start tend with --tty plain (or TEND_TTY=plain)"},
		{"gone", "gone.1 is not running"},
		{"worker", "worker names 2 instances (worker.1, worker.2): attach to one of them"},
		{"web.9", "web.9"},
	} {
		_, stderr, code := runTend(t, dir, env, "attach", c.target)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("attach %s: exit %d, stderr %q, want %q", c.target, code, stderr, c.want)
		}
	}
	if _, stderr, code := runTend(t, dir, env, "attach"); code != 2 || !strings.Contains(stderr, "tend attach takes one instance") {
		t.Errorf("attach without a name: exit %d, stderr %q", code, stderr)
	}
	// --tty of a type the Procfile does not have: nothing starts.
	_, stderr, code := runTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "t")}, "start", "--tty", "wrker")
	if code != 2 || !strings.Contains(stderr, `--tty: no process type "wrker" in `) {
		t.Errorf("--tty wrker: exit %d, stderr %q", code, stderr)
	}
}

// With one --tty process and tend in the foreground of a terminal, what is
// typed there goes to that process (foreman users' one interactive
// process), and Ctrl-C still stops tend.
func TestStartTTYInTheForegroundTakesTheKeyboard(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "worker: " + echoer + "\nplain: exec sleep 60\n"})
	cmd := exec.Command(tendBin, "start", "--tty", "worker")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "TEND_SOCKET="+filepath.Join(t.TempDir(), "s"))
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 90})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	out := &syncBuffer{}
	read := make(chan struct{})
	go func() {
		_, _ = io.Copy(out, term) // ends with EIO once tend is gone
		close(read)
	}()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	waitFor(t, "worker.1 to start", func() bool { return strings.Contains(out.String(), "worker.1 started") })
	if _, err := term.Write([]byte("typed\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the worker's answer", func() bool { return strings.Contains(out.String(), "got: typed") })
	if !strings.Contains(out.String(), "30 90") {
		waitFor(t, "the worker's size", func() bool { return strings.Contains(out.String(), "30 90") })
	}
	if _, err := term.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	<-done
	<-read // what tend printed last
	if !strings.Contains(out.String(), "received SIGINT") {
		t.Errorf("Ctrl-C did not reach tend:\n%s", out)
	}
}
