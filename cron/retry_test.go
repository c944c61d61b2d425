package cron

import (
	"errors"
	"testing"
	"time"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/internal/testkit"
)

// lockedElsewhere says whether another holder (a second tend on the lock
// dir) would find job id's lock held.
func (h *cronHarness) lockedElsewhere(id string) bool {
	h.t.Helper()
	d, err := cronlock.OpenLockDir(h.lockDir)
	if err != nil {
		h.t.Fatal(err)
	}
	defer d.Close()
	l, err := d.TryLock(id)
	if err == nil {
		l.Release()
	}
	return errors.Is(err, cronlock.ErrLocked)
}

// A failed run is tried again after 10 s, then 20 s (doubling), with the
// same due time and the attempt number, holding the forbid lock between
// attempts; after the last attempt the lock is free.
func TestCronRetryDoublesAndKeepsTheLock(t *testing.T) {
	j := job(t, "f", "*/15 * * * *", cronlock.PolicyForbid)
	j.Retries, j.RetryDelay = 2, 10*time.Second
	h := newCronHarness(t, true, j)
	due := cronStart.Add(15 * time.Minute)
	h.clock.Advance(15 * time.Minute)
	first := h.expectRun("f", due)
	h.clock.settle(t)
	first.fail()
	h.out.WaitFor(t, "cron.f: exited with status 1 after 0s (attempt 1 of 3); retrying in 10s")
	if !h.lockedElsewhere("f") {
		t.Error("the lock was let go between attempts")
	}
	h.clock.settle(t, 2) // the scheduler's sleep and the retry's
	h.clock.Advance(10 * time.Second)
	second := h.expectRun("f", due)
	if second.attempt != 2 {
		t.Errorf("attempt %d, want 2", second.attempt)
	}
	h.out.WaitFor(t, "cron.f: started (attempt 2 of 3)")
	second.fail()
	h.out.WaitFor(t, "(attempt 2 of 3); retrying in 20s")
	h.clock.settle(t, 2)
	h.clock.Advance(20 * time.Second)
	third := h.expectRun("f", due)
	third.fail()
	h.out.WaitFor(t, "(attempt 3 of 3)\n")
	testkit.WaitFor(t, "the run to end", 5*time.Second, func() bool { return h.sched.Running() == 0 })
	if h.lockedElsewhere("f") {
		t.Error("the lock is still held after the last attempt")
	}
	h.expectNoRun()
}

// A retry never starts at or past the job's next due time.
func TestCronRetryNeverPastTheNextRun(t *testing.T) {
	j := job(t, "e", "@every 15s", cronlock.PolicyAllow)
	j.Retries, j.RetryDelay = 3, 10*time.Second
	h := newCronHarness(t, true, j)
	h.clock.Advance(15 * time.Second)
	first := h.expectRun("e", cronStart.Add(15*time.Second))
	first.fail()
	h.out.WaitFor(t, "retrying in 10s")
	h.clock.settle(t, 2)
	h.clock.Advance(10 * time.Second)
	second := h.expectRun("e", cronStart.Add(15*time.Second))
	second.fail()
	h.out.WaitFor(t, "cron.e: not retrying: the next run, due at 2026-03-01T10:30:30Z, comes before the retry would (in 20s)")
}

// A shutdown drops a waiting retry and lets go of its lock.
func TestCronDrainDropsARetry(t *testing.T) {
	j := job(t, "d", "@hourly", cronlock.PolicyReplace)
	j.Retries, j.RetryDelay = 1, 10*time.Second
	h := newCronHarness(t, true, j)
	h.clock.Advance(30 * time.Minute)
	h.expectRun("d", cronStart.Add(30*time.Minute)).fail()
	h.out.WaitFor(t, "retrying in 10s")
	h.sched.Drain()
	h.sched.Wait()
	h.out.WaitFor(t, "cron.d: attempt 2 of 2 dropped: tend is stopping")
	if h.lockedElsewhere("d") {
		t.Error("the dropped retry kept the lock")
	}
}

// A job suspended while its retry waits does not retry.
func TestCronRetryDroppedWhenSuspended(t *testing.T) {
	j := job(t, "s", "@hourly", cronlock.PolicyAllow)
	j.Retries, j.RetryDelay = 1, 10*time.Second
	h := newCronHarness(t, true, j)
	d, err := cronlock.OpenLockDir(h.lockDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h.sched.cfg.Suspend = d // before the first run: the loop reads it then
	h.clock.Advance(30 * time.Minute)
	h.expectRun("s", cronStart.Add(30*time.Minute)).fail()
	h.out.WaitFor(t, "retrying in 10s")
	if err := d.Suspend("s"); err != nil {
		t.Fatal(err)
	}
	h.clock.settle(t, 2)
	h.clock.Advance(10 * time.Second)
	h.out.WaitFor(t, "cron.s: attempt 2 of 2 dropped: the job is suspended")
	h.expectNoRun()
}
