package dblock

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Lock is a held lock. One goroutine owns its connection: it keeps the
// connection alive, takes the lock again when the connection is lost, and
// releases it when Release is called. A nil *Lock (policy allow) is valid:
// its channels never close and Release does nothing.
type Lock struct {
	l    *Locker
	k    key
	s    session // owned by run
	lost chan struct{}
	stop chan struct{}

	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
	relOnce  sync.Once
}

// hold starts the keep-alive of a freshly taken lock.
func (l *Locker) hold(k key, s session) *Lock {
	ctx, cancel := context.WithCancel(context.Background())
	lk := &Lock{
		l: l, k: k, s: s,
		lost:   make(chan struct{}),
		stop:   make(chan struct{}),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go lk.run(ctx)
	return lk
}

// Lost is closed when the lock is no longer held and could not be taken
// again: another holder has it, or the database stayed unreachable for
// Locker.Reacquire. The run it guards must then be stopped.
func (lk *Lock) Lost() <-chan struct{} {
	if lk == nil {
		return nil
	}
	return lk.lost
}

// StopRequested is closed when a replace run elsewhere asks this lock's
// holder to stop (PostgreSQL only: NOTIFY). The holder stops its run
// gracefully and releases the lock; the asker waits up to its grace for it.
func (lk *Lock) StopRequested() <-chan struct{} {
	if lk == nil {
		return nil
	}
	return lk.stop
}

// Release unlocks and closes the lock's connection, and returns when the
// lock is free for others. It may be called more than once.
func (lk *Lock) Release() {
	if lk == nil {
		return
	}
	lk.relOnce.Do(func() {
		lk.cancel()
		<-lk.done
	})
}

// run is the lock's keep-alive loop; it ends on Release or loss.
func (lk *Lock) run(ctx context.Context) {
	defer close(lk.done)
	l := lk.l
	for {
		stop, err := lk.s.idle(ctx, l.KeepAlive)
		if ctx.Err() != nil {
			rctx, cancel := context.WithTimeout(context.Background(), l.Timeout)
			lk.s.release(rctx)
			cancel()
			return
		}
		if stop {
			lk.stopOnce.Do(func() { close(lk.stop) })
			continue
		}
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, l.Timeout)
			err = lk.s.ping(pctx)
			cancel()
			if ctx.Err() != nil {
				continue // Released meanwhile: release above.
			}
		}
		if err == nil {
			continue
		}
		lk.s.close()
		lk.s = nil
		l.logf("cron lock %s: connection lost (%v); taking the lock again", lk.k.job, err)
		if !lk.reacquire(ctx) {
			if ctx.Err() == nil { // not Released meanwhile
				close(lk.lost)
			}
			return
		}
	}
}

// reacquire takes the lock again after its connection was lost, for up to
// Locker.Reacquire; false when another holder has it, the time is up, or
// the lock was released meanwhile. Each attempt is bounded by the time
// left (and by Timeout), so a database that accepts connections but never
// answers cannot stretch Reacquire by a last attempt's Timeout.
func (lk *Lock) reacquire(ctx context.Context) bool {
	l := lk.l
	deadline := time.Now().Add(l.Reacquire)
	left, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for {
		s, err := l.try(left, lk.k)
		if err == nil {
			lk.s = s
			l.logf("cron lock %s: taken again on a new connection", lk.k.job)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if errors.Is(err, ErrLocked) {
			l.logf("cron lock %s: lost: %v", lk.k.job, err)
			return false
		}
		if left.Err() == nil && time.Now().Before(deadline) {
			select {
			case <-left.Done():
			case <-time.After(retryEvery * 5):
				continue
			}
		}
		if ctx.Err() != nil {
			return false
		}
		l.logf("cron lock %s: lost: not taken again within %s: %v", lk.k.job, l.Reacquire, l.wrap(err))
		return false
	}
}
