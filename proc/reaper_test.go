package proc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/procfs"
)

// newTestReaper starts a Reaper and closes it when the test ends.
func newTestReaper(t *testing.T) *Reaper {
	t.Helper()
	r := NewReaper(nil)
	t.Cleanup(r.Close)
	return r
}

func shell(script string) Command {
	return Command{Path: "/bin/sh", Args: []string{"sh", "-c", script}, Env: os.Environ(), NewGroup: true}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(time.Millisecond) // conditions are cheap; the fake clock's settle is called often
	}
}

func zombies(t *testing.T) []int {
	t.Helper()
	var z []int
	for _, pid := range procfs.Children(os.Getpid()) {
		if st, ok := procfs.Stat(pid); ok && st.State == 'Z' {
			z = append(z, pid)
		}
	}
	return z
}

func TestReaperStressKeepsEveryStatus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc and a child subreaper")
	}
	r := newTestReaper(t)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := rand.IntN(256)
			// Every other child leaves an orphan behind that exits soon
			// after: re-parented to us, it must be reaped without taking
			// anyone's status.
			script := fmt.Sprintf("exit %d", code)
			if i%2 == 0 {
				script = fmt.Sprintf("(sleep 0.0%d; exit 7) & exit %d", i%10, code)
			}
			c, err := r.Start(shell(script))
			if err != nil {
				errs <- err
				return
			}
			if got := c.Wait(); got.Code != code || got.Signal != 0 {
				errs <- fmt.Errorf("child %d (pid %d): got %v, want exit %d", i, c.Pid, got, code)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "orphans reaped", 10*time.Second, func() bool {
		return r.Orphans() == n/2 && len(zombies(t)) == 0
	})
	if got := r.Running(); got != 0 {
		t.Errorf("%d children still registered", got)
	}
}

func TestReaperExitStatusBySignal(t *testing.T) {
	r := newTestReaper(t)
	c, err := r.Start(shell("kill -TERM $$; sleep 5"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Wait()
	if got.Signal != syscall.SIGTERM || got.ExitCode() != 143 || got.String() != "killed by SIGTERM" {
		t.Errorf("got %+v (%d, %q), want killed by SIGTERM (143)", got, got.ExitCode(), got)
	}
}

func TestReaperStartErrors(t *testing.T) {
	r := newTestReaper(t)
	dir := t.TempDir()
	notExec := dir + "/script"
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"no-such-command-tend", 127},
		{dir + "/missing", 127},
		{notExec, 126},
		{dir, 126},
	} {
		_, err := r.Start(Command{Path: tc.path, Args: []string{tc.path}, Env: []string{"PATH=" + dir + ":/bin"}})
		var se *StartError
		if !errors.As(err, &se) || se.ExitCode != tc.code {
			t.Errorf("Start(%q) = %v, want StartError with code %d", tc.path, err, tc.code)
		}
	}
}

func TestGroupSignalReachesGrandchildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	r := newTestReaper(t)
	dir := t.TempDir()
	c, err := r.Start(shell("sleep 30 & echo $! > " + dir + "/pid; wait"))
	if err != nil {
		t.Fatal(err)
	}
	var grandchild int
	waitFor(t, "grandchild pid", 5*time.Second, func() bool {
		b, _ := os.ReadFile(dir + "/pid")
		_, err := fmt.Sscanf(string(b), "%d", &grandchild)
		return err == nil
	})
	if err := c.Signal(syscall.SIGTERM, true); err != nil {
		t.Fatal(err)
	}
	if got := c.Wait(); got.Signal != syscall.SIGTERM {
		t.Errorf("shell: %v, want killed by SIGTERM", got)
	}
	waitFor(t, "grandchild gone", 5*time.Second, func() bool {
		st, ok := procfs.Stat(grandchild)
		return !ok || st.State == 'Z'
	})
}

func TestStopLeftoversFindsSetsidDescendants(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc and a child subreaper")
	}
	r := newTestReaper(t)
	dir := t.TempDir()
	// The daemon leaves its group with setsid and ignores SIGTERM, so only
	// the SIGKILL after the grace period removes it.
	c, err := r.Start(shell("setsid sh -c 'trap \"\" TERM; echo $$ > " + dir + "/pid; while :; do sleep 0.05; done' & wait"))
	if err != nil {
		t.Fatal(err)
	}
	var daemon int
	waitFor(t, "daemon pid", 5*time.Second, func() bool {
		b, _ := os.ReadFile(dir + "/pid")
		_, err := fmt.Sscanf(string(b), "%d", &daemon)
		return err == nil
	})
	_ = c.Signal(syscall.SIGKILL, true)
	c.Wait()
	waitFor(t, "daemon adopted", 5*time.Second, func() bool { return len(r.Leftovers()) > 0 })
	found, killed := r.StopLeftovers(syscall.SIGTERM, 200*time.Millisecond)
	if found == 0 || !killed {
		t.Errorf("StopLeftovers = %d, %v; want the daemon found and killed", found, killed)
	}
	waitFor(t, "daemon gone", 5*time.Second, func() bool {
		st, ok := procfs.Stat(daemon)
		return !ok || st.State == 'Z'
	})
	if left := r.Leftovers(); len(left) != 0 {
		t.Errorf("leftovers after StopLeftovers: %v", left)
	}
}
