package hook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// newHook is a hook running command in a directory of its own. A test
// makes one Reaper (testkit.Reaper) and hands it to the hooks it makes.
func newHook(t *testing.T, command string, reaper *proc.Reaper) (*Hook, *testkit.Buffer) {
	out := &testkit.Buffer{}
	m := output.NewMux(output.OutputOptions{Stdout: out, Stderr: out, Prefix: true, KeepTail: true})
	return &Hook{Command: command, Env: os.Environ(), Dir: t.TempDir(), Timeout: 10 * time.Second, Reaper: reaper, Output: m}, out
}

// The hook's environment describes the failure; Wait returns once it has
// run, and a failed hook is logged.
func TestHookEnvironment(t *testing.T) {
	h, out := newHook(t, `env | grep ^TEND_ | sort > env; exit 2`, testkit.Reaper(t))
	done := make(chan struct{})
	close(done)
	h.Fire(Failure{Process: "worker.1", Type: "worker", Status: proc.ExitStatus{Code: 3}, Duration: 1500 * time.Millisecond,
		Tail: func() string { return "last words" }, OutputDone: done})
	h.Wait(time.Now().Add(10 * time.Second))
	b, err := os.ReadFile(filepath.Join(h.Dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TEND_PROCESS=worker.1", "TEND_EVENT=failed", "TEND_FAILURES=1", "TEND_EXIT_CODE=3",
		"TEND_DURATION=1.500", "TEND_OUTPUT_TAIL=last words", "TEND_REASON=", "TEND_JOB_ID="} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("no %s in\n%s", want, b)
		}
	}
	out.WaitFor(t, "on-failure hook for worker.1 exited with status 2")
	if !h.Hooked("worker") || h.Hooked("web") {
		t.Errorf("Hooked: worker %v, web %v", h.Hooked("worker"), h.Hooked("web"))
	}
}

// For cron, a failed run fires the hook, and so does the first success
// after it; the job is named and throttled apart.
func TestHookForCron(t *testing.T) {
	h, _ := newHook(t, `echo "$TEND_EVENT $TEND_PROCESS $TEND_JOB_ID $TEND_EXIT_CODE" >> events`, testkit.Reaper(t))
	var cc cron.Config
	h.ForCron(&cc)
	done := make(chan struct{})
	close(done)
	cc.OnFailure(cron.Failure{Process: "cron.ab12", JobID: "ab12", Status: proc.ExitStatus{Code: 1}, OutputDone: done})
	h.Wait(time.Now().Add(10 * time.Second))
	cc.OnSuccess(cron.Failure{Process: "cron.cd34", JobID: "ab12", OutputDone: done})
	h.Wait(time.Now().Add(10 * time.Second))
	b, _ := os.ReadFile(filepath.Join(h.Dir, "events"))
	if want := "failed cron.ab12 ab12 1\nrecovered cron.cd34 ab12 \n"; string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
	if !strings.HasPrefix(fromCron(cron.Failure{JobID: "ab12"}).key(), "cron ") {
		t.Error("a cron job is throttled as a type")
	}
}

// A hook past its time limit is stopped; Kill ends running hooks at once
// and drops the ones not started; a nil Hook does nothing.
func TestHookLimits(t *testing.T) {
	reaper := testkit.Reaper(t)
	h, out := newHook(t, `exec sleep 600`, reaper)
	h.Timeout = 100 * time.Millisecond
	h.Fire(Failure{Process: "web.1", Type: "web", Status: proc.ExitStatus{Code: 1}})
	h.Wait(time.Now().Add(10 * time.Second))
	out.WaitFor(t, "on-failure hook for web.1 still running after 100ms: stopping it")

	h, out = newHook(t, `touch started; exec sleep 600`, reaper)
	h.Fire(Failure{Process: "web.1", Type: "web", Status: proc.ExitStatus{Code: 1}})
	testkit.WaitFor(t, "the hook to start", 10*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(h.Dir, "started"))
		return err == nil
	})
	h.Kill()
	h.Fire(Failure{Process: "worker.1", Type: "worker", Status: proc.ExitStatus{Code: 1}})
	start := time.Now()
	h.Wait(start.Add(10 * time.Second))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Wait took %v after Kill: the running hook was not ended at once", d)
	}
	out.WaitFor(t, "on-failure hook for worker.1 not run: tend is stopping")

	var none *Hook
	none.Fire(Failure{Process: "web.1"})
	none.Wait(time.Now())
	none.Kill()
	if none.Hooked("web") {
		t.Error("a nil Hook hooked")
	}
}
