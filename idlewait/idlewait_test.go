package idlewait

import (
	"sync/atomic"
	"testing"
	"time"
)

// waited is how long Wait took, run with the given channels and a counter
// that move keeps growing until it returns.
func waited(done, hurry <-chan struct{}, idle, limit time.Duration, move bool) time.Duration {
	var moved atomic.Int64
	stop := make(chan struct{})
	if move {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(idle / 10):
					moved.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	Wait(done, hurry, &moved, idle, limit)
	close(stop)
	return time.Since(start)
}

func TestWaitEndsWhenDone(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	if d := waited(closed, nil, time.Hour, 0, false); d > time.Second {
		t.Errorf("done: waited %v", d)
	}
	if d := waited(nil, closed, time.Hour, 0, false); d > time.Second {
		t.Errorf("hurry: waited %v", d)
	}
}

func TestWaitEndsWhenIdle(t *testing.T) {
	const idle = 50 * time.Millisecond
	d := waited(nil, nil, idle, 0, false)
	if d < idle || d > 40*idle {
		t.Errorf("a counter that does not move: waited %v, want about %v", d, idle)
	}
}

func TestWaitFollowsProgressUpToTheLimit(t *testing.T) {
	const idle, limit = 20 * time.Millisecond, 300 * time.Millisecond
	d := waited(nil, nil, idle, limit, true)
	if d < limit || d > limit+2*time.Second {
		t.Errorf("a moving counter: waited %v, want the limit %v", d, limit)
	}
}
