package cron

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/status"
)

// releaseFIFO lets an open(2) blocked on path's read end return (the old
// code's hang), so a failing test ends instead of hanging the suite.
func releaseFIFO(path string) {
	if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

type recordedRuns struct {
	mu   sync.Mutex
	runs []history.Run
}

func (r *recordedRuns) Add(x history.Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, x)
	return nil
}
func (r *recordedRuns) Stats(string) history.Stats { return history.Stats{} }
func (r *recordedRuns) outcomes(job string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, x := range r.runs {
		if x.Job == job {
			out = append(out, x.Outcome)
		}
	}
	return out
}

// A FIFO at one job's lock path is that job's trouble alone: its run is
// skipped (logged and recorded), the other jobs run, and the drain ends.
func TestCronBrokenLockSkipsOnlyItsJob(t *testing.T) {
	locks, err := cronlock.OpenLockDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer locks.Close()
	fifo := filepath.Join(locks.Dir, "a.lock")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(cronStart)
	out := &testkit.Buffer{}
	hist := &recordedRuns{}
	runs := make(chan *fakeRun, 10)
	sched := New(Config{
		Jobs: []Job{
			job(t, "a", "*/15 * * * *", cronlock.PolicyForbid),
			job(t, "b", "*/15 * * * *", cronlock.PolicyAllow),
			job(t, "c", "*/15 * * * *", cronlock.PolicyForbid),
		},
		Clock: clock, Locks: locks, Grace: 10 * time.Second, History: hist,
		Output: output.NewMux(output.OutputOptions{Stdout: out, Stderr: out, Prefix: true}),
		Launch: func(job Job, scheduled, deadline time.Time) (RunHandle, error) {
			r := &fakeRun{job: job.ID, scheduled: scheduled, done: make(chan struct{}), obeys: true}
			runs <- r
			return r, nil
		},
	}, nil)
	sched.Start()
	clock.settle(t)
	drained := make(chan struct{})
	t.Cleanup(func() {
		go func() { sched.Drain(); sched.KillAll(); sched.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(10 * time.Second):
			releaseFIFO(fifo) // the old code's hang: let the test end
			t.Error("the drain hangs")
			<-drained
		}
	})
	clock.Advance(15 * time.Minute)
	var ran []string
	for len(ran) < 2 {
		select {
		case r := <-runs:
			ran = append(ran, r.job)
		case <-time.After(10 * time.Second):
			releaseFIFO(fifo)
			t.Fatalf("only %v ran\n%s", ran, out)
		}
	}
	if strings.Join(ran, ",") != "b,c" {
		t.Errorf("ran %v, want b and c", ran)
	}
	want := "cron.a: skipped the run due at 2026-03-01T10:45:00Z: lock file " + fifo + " is a named pipe, not a regular file"
	out.WaitFor(t, want)
	if got := hist.outcomes("a"); len(got) != 1 || got[0] != "skipped" {
		t.Errorf("job a recorded %v, want one skip", got)
	}
	hist.mu.Lock()
	for _, r := range hist.runs {
		if r.Job == "a" && (r.Reason != history.SkipLockError || !strings.Contains(r.Detail, "is a named pipe")) {
			t.Errorf("job a's skip: reason %q, detail %q", r.Reason, r.Detail)
		}
	}
	hist.mu.Unlock()
}

// Each lock error is recorded with its skip reason.
func TestSkipReasons(t *testing.T) {
	for err, want := range map[error]string{
		cronlock.ErrLocked: history.SkipLocked, fmt.Errorf("x: %w", cronlock.ErrLockUnavailable): history.SkipDatabaseUnavailable,
		errors.New("flock: EIO"): history.SkipLockError,
	} {
		if got := skipReason(err); got != want {
			t.Errorf("skipReason(%v) = %q, want %q", err, got, want)
		}
	}
}

// failingHistory keeps the runs but reports every write as failed, as a
// history file on a full disk does.
type failingHistory struct{ recordedRuns }

func (f *failingHistory) Add(r history.Run) error {
	_ = f.recordedRuns.Add(r)
	return errors.New("disk full")
}

// TestCronHistoryWriteErrorReported: a run whose record the history file
// cannot take is reported, and still recorded.
func TestCronHistoryWriteErrorReported(t *testing.T) {
	clock := newFakeClock(cronStart)
	out := &testkit.Buffer{}
	hist := &failingHistory{}
	s := New(Config{
		Jobs: []Job{job(t, "a", "*/15 * * * *", cronlock.PolicyAllow)}, Clock: clock, Grace: time.Second,
		Output: output.NewMux(output.OutputOptions{Stdout: out, Stderr: out, Prefix: true}), History: hist,
		Launch: func(Job, time.Time, time.Time) (RunHandle, error) {
			r := &fakeRun{done: make(chan struct{})}
			r.finish()
			return r, nil
		},
	}, nil)
	s.Start()
	t.Cleanup(func() { s.Drain(); s.KillAll(); s.Wait() })
	clock.settle(t)
	clock.Advance(15 * time.Minute)
	out.WaitFor(t, "cron history: disk full")
	if got := hist.outcomes("a"); len(got) != 1 || got[0] != history.OutcomeOK {
		t.Errorf("recorded %v, want one ok run", got)
	}
}

// unreachableLocks is a cronlock.Locker whose database is down until up is set.
type unreachableLocks struct {
	mu sync.Mutex
	up bool
}

type heldLock struct{}

func (heldLock) Release()                       {}
func (heldLock) Lost() <-chan struct{}          { return nil }
func (heldLock) StopRequested() <-chan struct{} { return nil }

func (u *unreachableLocks) TakeRun(string, cronlock.Policy, time.Duration, cronlock.Clock, <-chan struct{}) (cronlock.Held, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.up {
		return nil, fmt.Errorf("lock database db unavailable: %w", cronlock.ErrLockUnavailable)
	}
	return heldLock{}, nil
}

// Runs skipped because the lock database is unreachable are recorded with
// their reason and shown as the job's latest due run, which fails the
// cron health check at once; once the database answers (logged) the
// run that starts clears it, even before it ends.
func TestCronLockDatabaseUnavailable(t *testing.T) {
	clock := newFakeClock(cronStart)
	out := &testkit.Buffer{}
	hist, err := history.Open("")
	if err != nil {
		t.Fatal(err)
	}
	locks := &unreachableLocks{}
	runs := make(chan *fakeRun, 10)
	sched := New(Config{
		Jobs: []Job{job(t, "a", "*/15 * * * *", cronlock.PolicyForbid)}, Clock: clock, Locks: locks, Grace: time.Second, History: hist,
		Output: output.NewMux(output.OutputOptions{Stdout: out, Stderr: out, Prefix: true}),
		Launch: func(job Job, scheduled, deadline time.Time) (RunHandle, error) {
			r := &fakeRun{job: job.ID, done: make(chan struct{}), obeys: true}
			runs <- r
			return r, nil
		},
	}, nil)
	sched.Start()
	t.Cleanup(func() { sched.Drain(); sched.KillAll(); sched.Wait() })
	clock.settle(t)
	for range 2 {
		clock.Advance(15 * time.Minute)
		clock.settle(t)
	}
	out.WaitFor(t, "cron.a: skipped the run due at 2026-03-01T11:00:00Z: lock database db unavailable")
	snap := status.Snapshot{Started: cronStart, Cron: sched.Status(clock.Now())}
	j := snap.Cron[0]
	if j.Skips != 2 || j.SkipsBy[history.SkipDatabaseUnavailable] != 2 || j.Skipped == nil || j.Skipped.Reason != history.SkipDatabaseUnavailable ||
		!j.Skipped.Scheduled.Equal(cronStart.Add(30*time.Minute)) || j.Skipped.Detail != "lock database db unavailable: lock database unavailable" {
		t.Fatalf("job status after two skips: %+v %+v", j, j.Skipped)
	}
	if ok, why := snap.Healthy(status.Cron, clock.Now()); ok || !strings.Contains(why, "cron a (") || !strings.Contains(why, "lock database unavailable") {
		t.Errorf("cron health: %v %q", ok, why)
	}
	locks.mu.Lock()
	locks.up = true
	locks.mu.Unlock()
	clock.Advance(15 * time.Minute)
	r := <-runs
	out.WaitFor(t, "cron.a: the lock database answers again (2 runs skipped while it did not)")
	snap.Cron = sched.Status(clock.Now())
	snap.Started = clock.Now() // the dead man's switch is not this test's
	if snap.Cron[0].Skipped != nil {
		t.Errorf("a run is going, yet the latest due run shows as skipped: %+v", snap.Cron[0].Skipped)
	}
	if ok, why := snap.Healthy(status.Cron, clock.Now()); !ok {
		t.Errorf("cron health with a run going: %q", why)
	}
	r.finish()
}
