package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/dbtest"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/internal/testkit/testmain"
)

// tendBin is the tend binary built once, with the race detector, for the
// end-to-end tests; clientBin is the same build without it, for the
// commands that start no process (see binaryFor).
var tendBin, clientBin string

func TestMain(m *testing.M) {
	// The race runtime sleeps 1 s before every exit with status 0
	// (atexit_sleep_ms); nearly every test runs several tends that exit 0.
	// NoExitSleep sets GORACE for this binary, and so for every tend it
	// starts.
	testmain.NoExitSleep()
	// The e2e tests mostly wait for real children and real time, so they
	// run six at a time, on two cores too (measured on two cores: 33 s
	// with six, 44 s with four, the same CPU); -parallel N still decides.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(max(6, runtime.GOMAXPROCS(0))))
	}
	// The tests that call run in-process see what a child sees.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); ignoredVar(k) {
			os.Unsetenv(k)
		}
	}
	dir, err := os.MkdirTemp("", "tend-e2e")
	if err != nil {
		panic(err)
	}
	tendBin = filepath.Join(dir, "tend")
	clientBin = filepath.Join(dir, "tend-client")
	for bin, flags := range map[string][]string{tendBin: {"-race"}, clientBin: nil} {
		build := exec.Command("go", append(append([]string{"build"}, flags...), "-o", bin, ".")...)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			panic(fmt.Sprintf("build tend: %v", err))
		}
	}
	code := m.Run()
	dbtest.StopAll()
	os.RemoveAll(dir)
	os.Exit(code)
}

// writeApp creates an app directory with the given files.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// syncBuffer is a buffer safe for a writer and a polling reader.
type syncBuffer = testkit.Buffer

// tendProc is a running tend.
type tendProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	code   int
}

// startTend starts tend in dir with args; env entries are added to the
// test's environment. A cleanup SIGKILLs tend's group if it is still there.
func startTend(t *testing.T, dir string, env []string, args ...string) *tendProc {
	t.Helper()
	return startProgram(t, dir, env, binaryFor(args), args...)
}

// clientCommands start no process: they read the app and print, or ask a
// running tend over its socket (cron's subcommands but run). Not export:
// what it writes names the binary that wrote it, and tests run that.
var clientCommands = map[string]bool{"check": true, "status": true, "logs": true,
	"restart": true, "stop": true, "resume": true, "reload": true, "help": true, "--version": true,
	"list": true, "suspend": true}

// binaryFor is the tend binary that runs args: the race-built one for
// everything that supervises (start, exec mode, run, cron run, attach),
// clientBin for clientCommands. The race runtime costs some 45 ms of CPU
// at every start, whatever the process then does (measured: 50 starts of
// tend -- true, 1.64 s and 1.75 s CPU vs 0.49 s and 0.52 s); the suite
// ran ~570 tends, 220 of them clients, and is CPU-bound on two cores.
// What the clients do concurrently is race-tested in their packages
// (control, logbuf, report) and by the runInProcess tests.
func binaryFor(args []string) string {
	for _, a := range args {
		switch {
		case a == "--":
			return tendBin
		case a == "cron", strings.HasPrefix(a, "-") && a != "--version":
			continue
		case clientCommands[a]:
			return clientBin
		case knownCommand[a]:
			return tendBin
		}
	}
	return tendBin
}

// knownCommand are the supervising commands binaryFor stops at, so that
// a process type named like a client command (tend start check) is not
// taken for one.
var knownCommand = map[string]bool{"start": true, "run": true, "attach": true}

// startProgram is startTend for a program that execs tend in the end
// (setpriv, unshare), so that the process is still tend.
func startProgram(t *testing.T, dir string, env []string, name string, args ...string) *tendProc {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	p := &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	p.launch()
	return p
}

// launch starts p.cmd in a group of its own, records its exit code (128+n
// for a signal) when it ends, and SIGKILLs the group at cleanup.
func (p *tendProc) launch() {
	p.t.Helper()
	cmd := p.cmd
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = 128 + int(ws.Signal())
			}
		}
		close(p.done)
	}()
	p.t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
}

// cleanEnv is the test's environment without variables that change tend's
// behaviour.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); ignoredVar(k) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// ignoredVar says whether the variable k changes tend's behaviour.
func ignoredVar(k string) bool {
	return strings.HasPrefix(k, "TEND_") || k == "PORT" || k == "DYNO" || k == "PS" || k == "NO_COLOR"
}

// wait waits for tend to exit (SIGKILL after a generous deadline) and
// returns its exit code.
func (p *tendProc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		p.t.Fatalf("tend did not exit; stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
	}
	return p.code
}

// waitOutput waits until stdout contains s.
func (p *tendProc) waitOutput(s string) {
	p.t.Helper()
	p.waitFor(s, p.stdout)
}

// waitFor waits until buf contains s.
func (p *tendProc) waitFor(s string, buf *syncBuffer) {
	p.t.Helper()
	exited := false
	found := eventually(30*time.Second, func() bool {
		if strings.Contains(buf.String(), s) {
			return true
		}
		select {
		case <-p.done:
			exited = true
		default:
		}
		return exited
	})
	switch {
	case strings.Contains(buf.String(), s): // written just before the exit, too
	case exited:
		p.t.Fatalf("tend exited (%d) before printing %q; stdout:\n%s\nstderr:\n%s", p.code, s, p.stdout, p.stderr)
	case !found:
		p.t.Fatalf("no %q in stdout:\n%s\nstderr:\n%s", s, p.stdout, p.stderr)
	}
}

// eventually polls cond until it holds or d has passed, and says whether
// it held: the one polling loop of these tests.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// waitFor fails the test unless cond holds within 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !eventually(20*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

func (p *tendProc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// runTend runs tend to completion.
func runTend(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := startTend(t, dir, env, args...)
	code = p.wait()
	return p.stdout.String(), p.stderr.String(), code
}

var inProcess sync.Mutex

// runInProcess calls run as main would, in this process, for CLI tests
// that neither load an app nor start anything (no process start). One at
// a time: urfave/cli writes its global HelpFlag on every run.
func runInProcess(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	inProcess.Lock()
	defer inProcess.Unlock()
	var out, errb bytes.Buffer
	code = run(t.Context(), append([]string{"tend"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// lines splits output into lines.
func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// alive reports whether pid runs (zombies count as gone).
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
}

// readPids reads the whitespace-separated pids a test process wrote.
func readPids(t *testing.T, path string) []int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		var pid int
		if _, err := fmt.Sscanf(f, "%d", &pid); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
