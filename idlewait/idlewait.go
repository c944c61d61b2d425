// Package idlewait is the wait for something that may never end but shows
// its progress: a counter that grows while it moves (bytes read from a
// child's pipes, passed to a caller, sent to a log reader). The wait ends
// when the thing is done, when the counter stops moving for a while, or
// at a limit.
package idlewait

import (
	"sync/atomic"
	"time"
)

// Wait returns once done or hurry is closed (nil: never), once moved has
// not grown for idle, or after limit (0: no limit).
func Wait(done, hurry <-chan struct{}, moved *atomic.Int64, idle, limit time.Duration) {
	ticker := time.NewTicker(idle)
	defer ticker.Stop()
	var limitC <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		limitC = t.C
	}
	last := moved.Load()
	for {
		select {
		case <-done:
			return
		case <-hurry:
			return
		case <-limitC:
			return
		case <-ticker.C:
			now := moved.Load()
			if now == last {
				return
			}
			last = now
		}
	}
}
