// Package cronlock is the lock of a cron run, which keeps runs of a forbid
// or replace job from overlapping across tend instances: the concurrency
// policies, the Locker and Held interfaces every lock store implements (the
// lock dir here, with flock(2); a database with dblock), and the jobs'
// suspend state (Suspender, SuspendStore), kept in the same place.
package cronlock

import (
	"errors"
	"time"
)

// Clock is the scheduler's view of time, which a replace run's wait for a
// lock shares, so tests can drive both.
type Clock interface {
	Now() time.Time
	// After delivers once d has passed.
	After(d time.Duration) <-chan time.Time
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the system clock.
var RealClock Clock = realClock{}

// Policy is Dokku's concurrency_policy: what happens when a run is due
// while another is going.
type Policy string

// The policies (the values of Policy).
const (
	PolicyAllow   Policy = "allow"
	PolicyForbid  Policy = "forbid"
	PolicyReplace Policy = "replace"
)

// ErrLocked is returned when another holder has the lock.
var ErrLocked = errors.New("lock held by another run")

// ErrLockUnavailable is wrapped by the error of a Locker that cannot reach
// the place its locks live (dblock: the database). The run is skipped and
// recorded with reason history.SkipDatabaseUnavailable.
var ErrLockUnavailable = errors.New("lock database unavailable")

// Locker takes the lock of one run of a forbid or replace job: the lock dir
// (flock, for containers that share a directory) or a database (dblock,
// across hosts). Both follow the same rules: allow needs no lock (nil,
// nil); forbid tries once; replace asks or waits up to wait. ErrLocked
// (possibly wrapped, naming the holder) when another run holds it; any
// other error means the lock could not be taken at all, and the run is
// skipped: a run never goes ahead unlocked.
type Locker interface {
	TakeRun(id string, policy Policy, wait time.Duration, clock Clock, stop <-chan struct{}) (Held, error)
}

// Held is the lock of a run in progress.
type Held interface {
	Release()
	// Lost is closed when the lock is gone and another holder may have
	// it: the run is stopped (nil: never, as with a flock).
	Lost() <-chan struct{}
	// StopRequested is closed when another tend asks this run to stop so
	// that its own replace run can start (nil: never).
	StopRequested() <-chan struct{}
}

// Suspender says whether a job is suspended: it starts no new runs (a
// running one finishes). A *LockDir is one.
type Suspender interface {
	Suspended(id string) bool
}

// SuspendStore keeps the jobs' suspend state: the lock dir, or with
// --lock-url the database (a *dblock.Locker).
type SuspendStore interface {
	Suspender
	Suspend(id string) error
	Resume(id string) error
}
