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

func newHook(t *testing.T, command string) (*Hook, *testkit.Buffer) {
	out := &testkit.Buffer{}
	m := output.NewMux(output.OutputOptions{Stdout: out, Stderr: out, Prefix: true, KeepTail: true})
	return &Hook{Command: command, Env: os.Environ(), Dir: t.TempDir(), Timeout: 10 * time.Second, Reaper: testkit.Reaper(t), Output: m}, out
}

// The hook's environment describes the failure; Wait returns once it has
// run, and a failed hook is logged.
func TestHookEnvironment(t *testing.T) {
	h, out := newHook(t, `env | grep ^TEND_ | sort > env; exit 2`)
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

// A cron run's failure is throttled by its job, and names it.
func TestHookFromCron(t *testing.T) {
	f := FromCron(cron.Failure{Process: "cron.ab12", JobID: "ab12", Status: proc.ExitStatus{Code: 1}})
	if f.Process != "cron.ab12" || f.JobID != "ab12" || f.key() != "cron ab12" || f.Status.ExitCode() != 1 {
		t.Errorf("%+v", f)
	}
}

// A hook past its time limit is stopped; Kill ends running hooks at once
// and drops the ones not started; a nil Hook does nothing.
func TestHookLimits(t *testing.T) {
	h, out := newHook(t, `exec sleep 600`)
	h.Timeout = 100 * time.Millisecond
	h.Fire(Failure{Process: "web.1", Type: "web", Status: proc.ExitStatus{Code: 1}})
	h.Wait(time.Now().Add(10 * time.Second))
	out.WaitFor(t, "on-failure hook for web.1 still running after 100ms: stopping it")

	h, out = newHook(t, `exec sleep 600`)
	h.Fire(Failure{Process: "web.1", Type: "web", Status: proc.ExitStatus{Code: 1}})
	time.Sleep(100 * time.Millisecond)
	h.Kill()
	h.Fire(Failure{Process: "worker.1", Type: "worker", Status: proc.ExitStatus{Code: 1}})
	h.Wait(time.Now().Add(10 * time.Second))
	out.WaitFor(t, "on-failure hook for worker.1 not run: tend is stopping")

	var none *Hook
	none.Fire(Failure{Process: "web.1"})
	none.Wait(time.Now())
	none.Kill()
	if none.Hooked("web") {
		t.Error("a nil Hook hooked")
	}
}
