package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tend-run/tend/internal/testkit"
)

// The test binary doubles as a signal recorder (SIGTEST_HELPER=record): it
// catches every signal it can, prints "got N" for each, and exits 0 on
// SIGTERM. SIGTEST_HELPER=exec-blocked blocks SIGUSR1 and execs its
// arguments, to start tend with a blocked signal.
func init() {
	switch os.Getenv("SIGTEST_HELPER") {
	case "record":
		recordSignals()
	case "exec-blocked":
		runtime.LockOSThread()
		var set unix.Sigset_t
		set.Val[0] = 1 << (syscall.SIGUSR1 - 1)
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
			panic(err)
		}
		args := os.Args[1:]
		panic(syscall.Exec(args[0], args, os.Environ()))
	}
}

func recordSignals() {
	// An init that dies of a signal must not leave the recorder holding the
	// test's pipes.
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0)
	c := make(chan os.Signal, 64)
	for i := 1; i <= 64; i++ {
		switch syscall.Signal(i) {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, 32, 33, 34:
			continue
		}
		signal.Notify(c, syscall.Signal(i))
	}
	fmt.Println("ready")
	for s := range c {
		fmt.Printf("got %d\n", s.(syscall.Signal))
		if s == syscall.SIGTERM {
			os.Exit(0)
		}
	}
}

func sigName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", sig)
}

func recorderPath(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return self
}

// forwardedSignals are the signals a forwarding init should pass on: every
// catchable one but job control (tested on its own) and the stop signal.
var forwardedSignals = func() []syscall.Signal {
	var sigs []syscall.Signal
	for i := syscall.Signal(1); i < 32; i++ {
		switch i {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGTERM,
			syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGPIPE:
			continue
		}
		sigs = append(sigs, i)
	}
	return append(sigs, 35, 40, 50, 64)
}()

// forwardedBy runs init (tend, tini or dumb-init, as argv) with the
// recorder, sends it each signal and returns those that reached the
// recorder. An init that dies of a signal is started again.
func forwardedBy(t *testing.T, argv ...string) (got []syscall.Signal, died []syscall.Signal) {
	t.Helper()
	var p *tendProc
	start := func() {
		cmd := exec.Command(argv[0], append(argv[1:], recorderPath(t))...)
		cmd.Env = append(cleanEnv(), "SIGTEST_HELPER=record")
		p = &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
		cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
		p.launch()
		p.waitOutput("ready")
	}
	start()
	for _, sig := range forwardedSignals {
		want := fmt.Sprintf("got %d\n", sig)
		before := strings.Count(p.stdout.String(), want)
		p.signal(sig)
		// The recorder, a Go program, never sees SIGPROF (Go's runtime
		// keeps it for its profiler): for it only a death is waited for.
		wait := 3 * time.Second
		if sig == syscall.SIGPROF {
			wait = 300 * time.Millisecond
		}
		deadline := time.Now().Add(wait)
		for strings.Count(p.stdout.String(), want) == before && time.Now().Before(deadline) {
			select {
			case <-p.done:
				deadline = time.Now()
			case <-time.After(5 * time.Millisecond):
			}
		}
		if strings.Count(p.stdout.String(), want) > before {
			got = append(got, sig)
		}
		select {
		case <-p.done:
			died = append(died, sig)
			start()
		default:
		}
	}
	_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM) // a reference may be dying of the last one
	if code := p.wait(); code != 0 && argv[0] == tendBin {
		t.Errorf("tend: exit %d after SIGTERM, want 0\n%s", code, p.stderr)
	}
	return got, died
}

// tini and dumb-init are the reference: tend forwards every signal that
// either of them forwards, and dies of none (tini dies of the faults it
// does not catch, dumb-init of the real-time signals). SIGPROF is the one
// exception, documented: Go's runtime keeps it for its profiler. (SIGPIPE
// is not sent: tend does not pass it on, since it cannot tell one sent with
// kill from its own write to a closed stderr.)
func TestExecModeForwardsEverySignalAsDumbInitDoes(t *testing.T) {
	t.Parallel()
	tendGot, tendDied := forwardedBy(t, tendBin, "--")
	if len(tendDied) > 0 {
		t.Errorf("tend died of %v", tendDied)
	}
	var refs []string
	for _, ref := range [][]string{{"dumb-init", "--single-child"}, {"tini", "-s", "--"}} {
		testkit.NeedProgram(t, ref[0], "Debian: apt-get install dumb-init tini; .ci/run installs them")
		refs = append(refs, ref[0])
		refGot, _ := forwardedBy(t, ref...)
		for _, sig := range refGot {
			if sig != syscall.SIGPROF && !slices.Contains(tendGot, sig) {
				t.Errorf("%s forwards %s, tend does not", ref[0], sigName(sig))
			}
		}
	}
	for _, sig := range forwardedSignals {
		if sig != syscall.SIGPROF && !slices.Contains(tendGot, sig) {
			t.Errorf("tend did not forward %s", sigName(sig))
		}
	}
	t.Logf("tend forwarded %d of %d signals (compared with %v)", len(tendGot), len(forwardedSignals), refs)
}

// In start mode every process gets what tend does not act on itself, the
// faults included, and tend keeps running; SIGPIPE and SIGURG are not
// passed on (tend's own broken output; Go's own preemption signal).
func TestStartForwardsSignalsButNotPipeOrURG(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"rec: env SIGTEST_HELPER=record " + recorderPath(t) + "\n" +
		"shl: trap '' USR1 ALRM SEGV ABRT BUS TRAP SYS XCPU 40 64; trap 'echo got URG' URG; trap 'echo got PIPE' PIPE; trap 'echo got USR2' USR2; echo ready; while :; do sleep 0.05; done\n"})
	p := startTend(t, dir, nil, "start")
	p.waitOutput("rec.1 | ready")
	p.waitOutput("shl.1 | ready")
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGALRM, syscall.SIGSEGV, syscall.SIGABRT,
		syscall.SIGBUS, syscall.SIGTRAP, syscall.SIGSYS, syscall.SIGWINCH, syscall.SIGCONT, syscall.SIGXCPU, 40, 64} {
		p.signal(sig)
		p.waitOutput(fmt.Sprintf("rec.1 | got %d\n", sig))
	}
	p.signal(syscall.SIGURG)
	p.signal(syscall.SIGPIPE)
	p.signal(syscall.SIGUSR2)
	p.waitOutput("shl.1 | got USR2")
	if out := p.stdout.String(); strings.Contains(out, "got URG") || strings.Contains(out, "got PIPE") {
		t.Errorf("URG or PIPE was forwarded:\n%s", out)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
	if out := p.stdout.String(); !strings.Contains(out, "received SIGTERM") {
		t.Errorf("tend did not drain:\n%s%s", out, p.stderr)
	}
}

// Without a terminal (a container, a CI job) Ctrl-Z's signals are only
// passed on: tend does not stop itself, since no shell would continue it.
func TestJobControlWithoutTerminalOnlyForwards(t *testing.T) {
	t.Parallel()
	for _, mode := range [][]string{{"--"}, {"start"}} {
		t.Run(mode[0], func(t *testing.T) {
			var args []string
			dir := writeApp(t, map[string]string{"Procfile": "rec: env SIGTEST_HELPER=record " + recorderPath(t) + "\n"})
			if mode[0] == "--" {
				args = []string{"--", recorderPath(t)}
			} else {
				args = []string{"start"}
			}
			cmd := exec.Command(tendBin, args...)
			cmd.Dir = dir
			cmd.Env = append(cleanEnv(), "SIGTEST_HELPER=record")
			p := &tendProc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
			cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
			p.launch()
			cmd.SysProcAttr = nil
			p.waitOutput("ready")
			for _, sig := range []syscall.Signal{syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU} {
				p.signal(sig)
				p.waitOutput(fmt.Sprintf("got %d\n", sig))
			}
			if st := procState(cmd.Process.Pid); st != "S" && st != "R" {
				t.Errorf("tend is in state %q after job-control signals", st)
			}
			p.signal(syscall.SIGTERM)
			p.wait()
		})
	}
}

// procState is the one-letter state of pid from /proc (T = stopped).
func procState(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// statusMask reads a signal mask line (SigIgn, SigBlk) from the output of
// `grep Sig… /proc/self/status`.
func statusMask(t *testing.T, out, field string) uint64 {
	t.Helper()
	for _, line := range lines(out) {
		_, rest, ok := strings.Cut(line, field+":")
		if !ok {
			continue
		}
		var mask uint64
		if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%x", &mask); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return mask
	}
	t.Fatalf("no %s in output:\n%s", field, out)
	return 0
}

func bit(sig syscall.Signal) uint64 { return 1 << (sig - 1) }

// tini's "sigconf" test: a signal ignored when tend starts stays ignored in
// the child, in exec mode and in start mode, for commands tend execs
// directly and for shell commands; one that was not ignored is not.
func TestIgnoredSignalsStayIgnoredInChildren(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"direct: grep SigIgn /proc/self/status\n" +
		"shell: grep SigIgn /proc/self/status && true\n"})
	for _, c := range []struct {
		name    string
		trap    string
		args    string
		ignored []syscall.Signal
	}{
		{"exec HUP INT", "trap '' HUP INT;", "-- grep SigIgn /proc/self/status", []syscall.Signal{syscall.SIGHUP, syscall.SIGINT}},
		{"exec INT", "trap '' INT;", "-- grep SigIgn /proc/self/status", []syscall.Signal{syscall.SIGINT}},
		{"exec none", "", "-- grep SigIgn /proc/self/status", nil},
		{"start direct HUP", "trap '' HUP;", "start direct", []syscall.Signal{syscall.SIGHUP}},
		{"start shell HUP", "trap '' HUP;", "start shell", []syscall.Signal{syscall.SIGHUP}},
		{"start shell none", "", "start shell", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", c.trap+` exec "$0" "$@"`, tendBin)
			cmd.Args = append(cmd.Args, strings.Fields(c.args)...)
			cmd.Dir = dir
			cmd.Env = cleanEnv()
			out, err := cmd.Output()
			if err != nil && strings.HasPrefix(c.args, "--") {
				t.Fatalf("%v\n%s", err, out) // start exits 1 when its one process exits 0
			}
			n := 0
			for _, line := range lines(string(out)) {
				if !strings.Contains(line, "SigIgn:") {
					continue
				}
				n++
				mask := statusMask(t, line, "SigIgn")
				for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT} {
					if want := slices.Contains(c.ignored, sig); (mask&bit(sig) != 0) != want {
						t.Errorf("%s: %s ignored %v, want %v", line, sigName(sig), !want, want)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d SigIgn lines, want 1:\n%s", n, out)
			}
		})
	}
}

// `nohup tend -- job`: the hangup tend forwards does not kill the job,
// which ignores it as nohup asked, and tend keeps running too.
func TestNohupJobSurvivesForwardedHangup(t *testing.T) {
	t.Parallel()
	testkit.NeedProgram(t, "nohup", "Debian: apt-get install coreutils")
	dir := t.TempDir()
	p := startProgram(t, dir, nil, "nohup", tendBin, "--", "sh", "-c", "trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done")
	p.waitOutput("ready")
	p.signal(syscall.SIGHUP)
	p.signal(syscall.SIGUSR1)
	p.waitOutput("got USR1")
	select {
	case <-p.done:
		t.Fatalf("tend exited %d after SIGHUP", p.code)
	default:
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit %d, want %d", code, 128+int(syscall.SIGTERM))
	}
}

// tini's sigconf test, the mask half: a signal blocked when tend starts
// stays blocked in the child.
func TestBlockedSignalsStayBlockedInChildren(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(recorderPath(t), tendBin, "--", "grep", "SigBlk", "/proc/self/status")
	cmd.Env = append(cleanEnv(), "SIGTEST_HELPER=exec-blocked")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if mask := statusMask(t, string(out), "SigBlk"); mask&bit(syscall.SIGUSR1) == 0 {
		t.Errorf("SIGUSR1 is not blocked in the child: SigBlk %x", mask)
	}
}
