package cron

import (
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/schedule"
)

// fakeClock has a wall clock that can jump and a monotonic one that only
// Advance moves, as timers follow the monotonic clock.
type fakeClock struct {
	mu      sync.Mutex
	wall    time.Time
	mono    time.Duration
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Duration
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock {
	return &fakeClock{wall: t}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.wall
	} else {
		c.waiters = append(c.waiters, fakeWaiter{c.mono + d, ch})
	}
	return ch
}

// Advance moves both clocks and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mono += d
	c.wall = c.wall.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at <= c.mono {
			w.ch <- c.wall
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// Jump moves the wall clock only (settimeofday, suspend).
func (c *fakeClock) Jump(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
}

// settle waits until at least n timers are pending: after Advance fired
// the scheduler's timer, it is idle again once it has asked for a new one.
func (c *fakeClock) settle(t *testing.T, n ...int) {
	t.Helper()
	want := 1
	if len(n) > 0 {
		want = n[0]
	}
	testkit.WaitFor(t, "the scheduler to go back to sleep", 5*time.Second, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.waiters) >= want
	})
}

// fakeRun is a run that ends when the test (or a signal) says so.
type fakeRun struct {
	job       string
	scheduled time.Time
	done      chan struct{}
	once      sync.Once
	mu        sync.Mutex
	signals   []syscall.Signal
	obeys     bool // exit on the stop signal
	attempt   int  // the job's Attempt
	code      int  // the exit code Wait returns (failOnce sets it)
}

func (r *fakeRun) Done() <-chan struct{} { return r.done }
func (r *fakeRun) Wait() proc.ExitStatus {
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return proc.ExitStatus{Code: r.code}
}

// fail ends the run with exit code 1.
func (r *fakeRun) fail() {
	r.mu.Lock()
	r.code = 1
	r.mu.Unlock()
	r.finish()
}
func (r *fakeRun) finish() { r.once.Do(func() { close(r.done) }) }
func (r *fakeRun) Signal(sig syscall.Signal, group bool) error {
	r.mu.Lock()
	r.signals = append(r.signals, sig)
	r.mu.Unlock()
	if r.obeys || sig == syscall.SIGKILL {
		r.finish()
	}
	return nil
}

type cronHarness struct {
	t     *testing.T
	clock *fakeClock
	sched *Scheduler
	out   *testkit.Buffer
	runs  chan *fakeRun
	// lockDir is the scheduler's lock dir.
	lockDir string
}

var cronStart = time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)

func newCronHarness(t *testing.T, obeys bool, jobs ...Job) *cronHarness {
	h := &cronHarness{t: t, clock: newFakeClock(cronStart), out: &testkit.Buffer{}, runs: make(chan *fakeRun, 100)}
	h.lockDir = t.TempDir()
	locks, err := cronlock.OpenLockDir(h.lockDir)
	if err != nil {
		t.Fatal(err)
	}
	h.sched = New(Config{
		Jobs: jobs, Clock: h.clock, Locks: locks, Grace: 10 * time.Second,
		Output: output.NewMux(output.OutputOptions{Stdout: h.out, Stderr: h.out, Prefix: true}),
		Launch: func(job Job, scheduled, deadline time.Time) (RunHandle, error) {
			r := &fakeRun{job: job.ID, scheduled: scheduled, done: make(chan struct{}), obeys: obeys, attempt: job.Attempt}
			h.runs <- r
			return r, nil
		},
	}, nil)
	h.sched.Start()
	h.clock.settle(t)
	t.Cleanup(func() {
		h.sched.Drain()
		h.sched.KillAll()
		h.sched.Wait()
	})
	return h
}

func (h *cronHarness) expectRun(job string, scheduled time.Time) *fakeRun {
	h.t.Helper()
	select {
	case r := <-h.runs:
		if r.job != job || !r.scheduled.Equal(scheduled) {
			h.t.Fatalf("run of %s due %v, want %s due %v", r.job, r.scheduled, job, scheduled)
		}
		return r
	case <-time.After(5 * time.Second):
		h.t.Fatalf("no run of %s due %v\n%s", job, scheduled, h.out)
		return nil
	}
}

func (h *cronHarness) expectNoRun() {
	h.t.Helper()
	select {
	case r := <-h.runs:
		h.t.Fatalf("unexpected run of %s due %v", r.job, r.scheduled)
	default:
	}
}

func job(t *testing.T, id, spec string, policy cronlock.Policy) Job {
	t.Helper()
	s, err := schedule.Parse(spec, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return Job{ID: id, Command: "true", Schedule: s, Policy: policy}
}

func TestCronAllowOverlaps(t *testing.T) {
	h := newCronHarness(t, true, job(t, "a", "*/15 * * * *", cronlock.PolicyAllow))
	h.clock.Advance(15 * time.Minute)
	h.expectRun("a", cronStart.Add(15*time.Minute))
	h.clock.settle(t)
	h.clock.Advance(15 * time.Minute)
	h.expectRun("a", cronStart.Add(30*time.Minute))
}

func TestCronForbidSkipsWhileRunning(t *testing.T) {
	h := newCronHarness(t, true, job(t, "f", "*/15 * * * *", cronlock.PolicyForbid))
	h.clock.Advance(15 * time.Minute)
	first := h.expectRun("f", cronStart.Add(15*time.Minute))
	h.clock.settle(t)
	h.clock.Advance(15 * time.Minute)
	h.clock.settle(t)
	h.expectNoRun()
	h.out.WaitFor(t, "cron.f: skipped the run due at 2026-03-01T11:00:00Z: the run started 2026-03-01T10:45:00Z is still going (forbid)")
	first.finish()
	testkit.WaitFor(t, "the run to end", 5*time.Second, func() bool { return h.sched.Running() == 0 })
	h.clock.Advance(15 * time.Minute)
	h.expectRun("f", cronStart.Add(45*time.Minute))
}

func TestCronReplaceStopsTheRunningOne(t *testing.T) {
	h := newCronHarness(t, true, job(t, "r", "*/15 * * * *", cronlock.PolicyReplace))
	h.clock.Advance(15 * time.Minute)
	first := h.expectRun("r", cronStart.Add(15*time.Minute))
	h.clock.settle(t)
	h.clock.Advance(15 * time.Minute)
	h.expectRun("r", cronStart.Add(30*time.Minute))
	if first.signals[0] != syscall.SIGTERM {
		t.Errorf("the replaced run got %v", first.signals)
	}
	testkit.WaitFor(t, "the end line", 5*time.Second, func() bool { return strings.Contains(h.out.String(), "(replaced)") })
}

func TestCronJumpForwardRunsOnce(t *testing.T) {
	h := newCronHarness(t, true, job(t, "h", "0 * * * *", cronlock.PolicyAllow))
	// Five hourly slots are skipped by the jump: one run, not five, and it
	// says how late it is.
	h.clock.Jump(5 * time.Hour)
	h.clock.Advance(time.Minute) // the scheduler re-checks the wall clock at least once a minute
	h.expectRun("h", cronStart.Add(30*time.Minute))
	h.clock.settle(t)
	h.expectNoRun()
	h.out.WaitFor(t, "late")
	h.clock.Advance(29 * time.Minute) // 16:00
	h.expectRun("h", cronStart.Add(5*time.Hour+30*time.Minute))
}

func TestCronJumpBackDoesNotRepeat(t *testing.T) {
	h := newCronHarness(t, true, job(t, "h", "0 * * * *", cronlock.PolicyAllow))
	h.clock.Advance(30 * time.Minute)
	h.expectRun("h", cronStart.Add(30*time.Minute))
	h.clock.settle(t)
	h.clock.Jump(-90 * time.Minute) // back to 09:30, before the 11:00 run
	for range 100 {
		h.clock.Advance(time.Minute)
		h.clock.settle(t)
	}
	// The wall clock has passed 10:00 and 11:00 again (it reads 11:10):
	// neither may run a second time; 12:00 is next.
	h.expectNoRun()
	h.clock.Advance(50 * time.Minute)
	h.expectRun("h", cronStart.Add(90*time.Minute))
}

func TestCronNeverFiringScheduleSleeps(t *testing.T) {
	h := newCronHarness(t, true, job(t, "n", "0 0 31 2 *", cronlock.PolicyAllow))
	for range 10 {
		h.clock.Advance(time.Minute)
		h.clock.settle(t)
	}
	h.expectNoRun()
}

func TestCronTimeoutStopsTheRun(t *testing.T) {
	j := job(t, "t", "*/15 * * * *", cronlock.PolicyAllow)
	j.Timeout = 10 * time.Minute
	h := newCronHarness(t, false, j)
	h.clock.Advance(15 * time.Minute)
	r := h.expectRun("t", cronStart.Add(15*time.Minute))
	h.clock.settle(t, 2) // the loop and the run's timeout
	h.clock.Advance(10 * time.Minute)
	testkit.WaitFor(t, "the stop signal", 5*time.Second, func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.signals) == 1 })
	h.clock.settle(t, 2) // the loop and the grace
	h.clock.Advance(10 * time.Second)
	<-r.Done()
	testkit.WaitFor(t, "the end line", 5*time.Second, func() bool { return strings.Contains(h.out.String(), "(timed out)") })
	if r.signals[0] != syscall.SIGTERM || r.signals[1] != syscall.SIGKILL {
		t.Errorf("signals %v, want TERM then KILL", r.signals)
	}
}

func TestCronDrainInterruptsRuns(t *testing.T) {
	h := newCronHarness(t, true, job(t, "d", "*/15 * * * *", cronlock.PolicyAllow))
	h.clock.Advance(15 * time.Minute)
	h.expectRun("d", cronStart.Add(15*time.Minute))
	h.sched.Drain()
	h.sched.Wait()
	h.out.WaitFor(t, "(interrupted by shutdown)")
}
