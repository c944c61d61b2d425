package runner

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/spec"
)

// The hook's TEND_OUTPUT_TAIL holds the failed process's last line even
// when tend's output is slow and the process exits right after writing it.
func TestFailureHookSeesTheLastLines(t *testing.T) {
	t.Parallel()
	tailFile := filepath.Join(t.TempDir(), "tail")
	out := &testkit.SlowBuffer{}
	m := output.NewMux(output.OutputOptions{Stdout: out, Stderr: out, Prefix: true, KeepTail: true})
	reaper := testkit.Reaper(t)
	hk := &hook.Hook{Command: `printf %s "$TEND_OUTPUT_TAIL" > ` + tailFile, Env: os.Environ(), Timeout: 10 * time.Second, Reaper: reaper, Output: m}
	flaky := testInstance("flaky.1", "seq 1 10000; echo about to fail; exit 4")
	flaky.CanDie = true
	s := NewSupervisor(Config{
		Instances: []spec.Instance{testInstance("chatty.1", "while :; do echo chatter; done"), flaky},
		Timeout:   5 * time.Second, Output: m, Reaper: reaper, OnFailure: hk,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- s.Run(ctx) }()
	var tail []byte
	testkit.WaitFor(t, "the hook's tail file", 20*time.Second, func() bool {
		tail, _ = os.ReadFile(tailFile)
		return len(tail) > 0
	})
	cancel()
	<-done
	if !strings.HasSuffix(string(tail), "about to fail\n") {
		t.Errorf("TEND_OUTPUT_TAIL = %q", tail)
	}
}

// When the failure is what ends the formation, the hook still runs to the
// end, its output is copied through tend's, and Run returns only after it:
// the exit code stays the failed process's (the review's repro, §0.3).
func TestFailureHookEndingTendRunsToTheEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true, KeepTail: true})
	reaper := testkit.Reaper(t)
	hk := &hook.Hook{Command: "sleep 0.5; echo to-stdout; echo hooked > out", Env: os.Environ(), Dir: dir, Timeout: time.Minute, Reaper: reaper, Output: m}
	s := NewSupervisor(Config{
		Instances: []spec.Instance{testInstance("web.1", "exit 3")},
		Timeout:   30 * time.Second, Output: m, Reaper: reaper, OnFailure: hk,
	})
	if code := s.Run(context.Background()); code != 3 {
		t.Errorf("exit code %d, want 3\n%s", code, out.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out")); string(b) != "hooked\n" {
		t.Errorf("the hook had not finished when Run returned: out = %q, %v\n%s", b, err, out.String())
	}
	if !strings.Contains(out.String(), "on-failure | to-stdout\n") {
		t.Errorf("the hook's output was not copied:\n%s", out.String())
	}
}

// A hook still running at the drain deadline (-t) is stopped: SIGTERM to
// its group, then SIGKILL; Run returns and nothing the hook started is
// left.
func TestFailureHookStoppedAtTheDrainDeadline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pids")
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	reaper := testkit.Reaper(t)
	// The hook ignores SIGTERM (so only SIGKILL ends it) and leaves a
	// background job in its group.
	hk := &hook.Hook{Command: "trap '' TERM; sleep 600 & echo $$ $! > pids.tmp; mv pids.tmp pids; wait", Env: os.Environ(), Dir: dir, Timeout: time.Minute, Reaper: reaper, Output: m}
	flaky := testInstance("flaky.1", "exit 4")
	flaky.CanDie = true
	s := NewSupervisor(Config{
		Instances: []spec.Instance{testInstance("web.1", "exec sleep 600"), flaky},
		Timeout:   500 * time.Millisecond, Output: m, Reaper: reaper, OnFailure: hk,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- s.Run(ctx) }()
	var pids []int
	testkit.WaitFor(t, "the hook to start", 20*time.Second, func() bool {
		b, _ := os.ReadFile(pidFile)
		pids = nil
		for _, f := range strings.Fields(string(b)) {
			pid, _ := strconv.Atoi(f)
			pids = append(pids, pid)
		}
		return len(pids) == 2
	})
	t.Cleanup(func() {
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("Run did not return:\n%s", out.String())
	}
	for _, pid := range pids {
		if st, ok := testkit.ProcState(pid); ok && st != 'Z' {
			t.Errorf("hook process %d still running after Run returned\n%s", pid, out.String())
		}
	}
	if !strings.Contains(out.String(), "on-failure hook for flaky.1 still running at tend's stop deadline: stopping it") {
		t.Errorf("no word of stopping the hook:\n%s", out.String())
	}
}
