package cron

import (
	"errors"
	"time"

	"github.com/tend-run/tend/history"
)

// ErrLockUnavailable is wrapped by the error of a Locker that cannot reach
// the place its locks live (dblock: the database). The run is skipped and
// recorded with reason history.SkipDatabaseUnavailable.
var ErrLockUnavailable = errors.New("lock database unavailable")

// skipReason is the history reason of a run skipped because TakeRun
// returned err.
func skipReason(err error) string {
	switch {
	case errors.Is(err, ErrLocked):
		return history.SkipLocked
	case errors.Is(err, ErrLockUnavailable):
		return history.SkipDatabaseUnavailable
	}
	return history.SkipLockError
}

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

// TakeRun is Take as a Locker.
func (d *LockDir) TakeRun(id string, policy Policy, wait time.Duration, clock Clock, stop <-chan struct{}) (Held, error) {
	lock, err := d.Take(id, policy, wait, clock, stop)
	if lock == nil {
		return nil, err
	}
	return lock, err
}

// Lost is never closed: the kernel keeps a flock while its holder lives.
func (l *Lock) Lost() <-chan struct{} { return nil }

// StopRequested is never closed: a flock cannot ask its holder anything.
func (l *Lock) StopRequested() <-chan struct{} { return nil }

// release gives back a run's lock, if it has one.
func release(h Held) {
	if h != nil {
		h.Release()
	}
}
