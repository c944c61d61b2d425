package cron

import (
	"errors"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/history"
)

// skipReason is the history reason of a run skipped because TakeRun
// returned err.
func skipReason(err error) string {
	switch {
	case errors.Is(err, cronlock.ErrLocked):
		return history.SkipLocked
	case errors.Is(err, cronlock.ErrLockUnavailable):
		return history.SkipDatabaseUnavailable
	}
	return history.SkipLockError
}

// release gives back a run's lock, if it has one.
func release(h cronlock.Held) {
	if h != nil {
		h.Release()
	}
}
