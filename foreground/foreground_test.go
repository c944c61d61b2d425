package foreground

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/internal/testkit"
)

func load(t *testing.T, files map[string]string) *app.App {
	t.Helper()
	a, err := app.Load(app.Options{Root: testkit.WriteFiles(t, files), Environ: []string{"PATH=" + os.Getenv("PATH")}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCommandRunsAsAOneOffDyno: a Procfile type's command runs with the
// extra words, DYNO=run.N, and its exit status is tend's.
func TestCommandRunsAsAOneOffDyno(t *testing.T) {
	a := load(t, map[string]string{"Procfile": "say: echo \"$DYNO\" >out; exit\n"})
	var stdout, stderr bytes.Buffer
	code, err := Command{App: a, Args: []string{"say", "4"}, OneOff: true, Stdout: &stdout, Stderr: &stderr}.Run()
	if err != nil || code != 4 {
		t.Fatalf("code %d, err %v; stderr %q", code, err, stderr.String())
	}
	out, err := os.ReadFile(filepath.Join(a.Root, "out"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "run.") {
		t.Errorf("DYNO = %q, want run.N", out)
	}
}

func TestCommandBadStopSignalIsAUsageError(t *testing.T) {
	a := load(t, map[string]string{"Procfile": "web: true\n"})
	_, err := Command{Settings: app.Settings{StopSignal: "web=NOPE"}, App: a, Args: []string{"true"}}.Run()
	if ue := (*app.UsageError)(nil); err == nil || !errors.As(err, &ue) {
		t.Fatalf("err %v, want app.UsageError", err)
	}
}

// TestJobSkipsWhenLocked: a forbid job whose lock another run holds exits
// ExitLocked without running; with NoLock it runs, with TEND_CRON_* set.
func TestJobSkipsWhenLocked(t *testing.T) {
	a := load(t, map[string]string{
		"Procfile": "web: true\n",
		"app.json": `{"cron": [{"command": "echo \"$TEND_CRON_ID\" >ran", "schedule": "@daily", "concurrency_policy": "forbid"}]}`,
	})
	job := a.Cron.Jobs[0]
	s := app.Settings{LockDir: filepath.Join(t.TempDir(), "locks")}
	locks, closeLocks, err := s.OpenLocks(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeLocks()
	held, err := locks.TakeRun(job.ID, cronlock.PolicyForbid, 0, cronlock.RealClock, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	var stdout, stderr bytes.Buffer
	code, err := Job{Settings: s, App: a, Job: job, Stdout: &stdout, Stderr: &stderr}.Run()
	if err != nil || code != ExitLocked || !strings.Contains(stderr.String(), "skipped: another run holds its lock") {
		t.Fatalf("code %d, err %v, stderr %q", code, err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(a.Root, "ran")); err == nil {
		t.Fatal("the job ran while locked")
	}
	code, err = Job{Settings: s, App: a, Job: job, NoLock: true, Stdout: &stdout, Stderr: &stderr}.Run()
	if err != nil || code != 0 {
		t.Fatalf("--no-lock: code %d, err %v, stderr %q", code, err, stderr.String())
	}
	if out, _ := os.ReadFile(filepath.Join(a.Root, "ran")); strings.TrimSpace(string(out)) != job.ID {
		t.Errorf("TEND_CRON_ID = %q, want %q", out, job.ID)
	}
}

// TestRemoteWithoutATend: no tend listens on the socket, so the job is
// for the caller to run.
func TestRemoteWithoutATend(t *testing.T) {
	var stdout, stderr bytes.Buffer
	handled, code, err := Remote(filepath.Join(t.TempDir(), "sock"), t.TempDir(), "x", &stdout, &stderr)
	if handled || code != 0 || err != nil {
		t.Fatalf("handled %v, code %d, err %v", handled, code, err)
	}
}
