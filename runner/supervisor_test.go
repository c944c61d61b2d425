package runner

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/spec"
)

func testInstance(name, command string) spec.Instance {
	return spec.Instance{Name: name, Type: strings.Split(name, ".")[0], Command: command, Env: os.Environ(), StopSignal: syscall.SIGTERM}
}

func runFormation(t *testing.T, ctx context.Context, timeout time.Duration, specs ...spec.Instance) (int, string) {
	t.Helper()
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	names := []string{}
	for _, s := range specs {
		names = append(names, s.Name)
	}
	m.SetNames(names)
	s := NewSupervisor(Config{Instances: specs, Timeout: timeout, Output: m, Reaper: testkit.Reaper(t)})
	return s.Run(ctx), out.String()
}

func TestSupervisorExitOfOneStopsAll(t *testing.T) {
	t.Parallel()
	code, out := runFormation(t, context.Background(), 5*time.Second,
		testInstance("web.1", "trap 'echo web stopping; exit 0' TERM; while :; do sleep 0.05; done"),
		testInstance("job.1", "sleep 0.2; echo done; exit 3"))
	if code != 3 {
		t.Errorf("exit code %d, want 3\n%s", code, out)
	}
	for _, want := range []string{"job.1 | done\n", "tend  | job.1 exited with status 3\n", "web.1 | web stopping\n", "tend  | web.1 exited with status 0\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSupervisorStopRequestedByContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	code, out := runFormation(t, ctx, 300*time.Millisecond,
		testInstance("ok.1", "while :; do sleep 0.05; done"),
		testInstance("deaf.1", "trap '' TERM; while :; do sleep 0.05; done"))
	if code != 137 || !strings.Contains(out, "deaf.1 still running after timeout: sending SIGKILL") {
		t.Errorf("exit code %d, want 137 after a kill\n%s", code, out)
	}
}

func TestSupervisorRestartGivesUpAfterQuickCrashes(t *testing.T) {
	t.Parallel()
	var out testkit.Buffer
	m := output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	s := NewSupervisor(Config{
		Instances: []spec.Instance{testInstance("flaky.1", "exit 5"), testInstance("web.1", "while :; do sleep 0.05; done")},
		Timeout:   5 * time.Second, Restart: true, Output: m, Reaper: testkit.Reaper(t),
		Backoff: lifecycle.Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond, Healthy: time.Minute, GiveUp: 4},
	})
	if code := s.Run(context.Background()); code != 5 {
		t.Errorf("exit code %d, want 5 (the crashing process's)\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{"restarting flaky.1 in 1ms", "restarting flaky.1 in 2ms", "restarting flaky.1 in 4ms", "flaky.1 stopped 4 times in a row within 1m0s; giving up"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "flaky.1 exited with status 5") != 4 {
		t.Errorf("want 4 runs:\n%s", got)
	}
}
