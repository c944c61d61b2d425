package health

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
)

// flaky serves 503 until healthy is set.
func flaky(t *testing.T) (port int, healthy *atomic.Bool, hits *atomic.Int64) {
	healthy, hits = new(atomic.Bool), new(atomic.Int64)
	port = server(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !healthy.Load() {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
		}
	})
	return port, healthy, hits
}

// watch runs a Monitor of checks against port and returns its events.
func watch(t *testing.T, port int, checks ...Check) (<-chan Event, chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event)
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(done)
		Monitor{Checks: checks, Target: Target{Port: port, Started: time.Now(), Exited: exited}, Events: events}.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return events, exited
}

func next(t *testing.T, events <-chan Event) Event {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event")
		return Event{}
	}
}

func quick(typ Type, path string, attempts int) Check {
	return Check{Type: typ, Kind: HTTP, Path: path, Attempts: attempts, Wait: 20 * time.Millisecond, Timeout: 2 * time.Second}
}

// A startup check passes once the server turns healthy within its attempts.
func TestMonitorStartupWaitsForHealthy(t *testing.T) {
	t.Parallel()
	port, healthy, hits := flaky(t)
	events, _ := watch(t, port, quick(Startup, "/", 1000))
	testkit.WaitFor(t, "three probes", 20*time.Second, func() bool { return hits.Load() >= 3 })
	healthy.Store(true)
	if e := next(t, events); e.Kind != Started {
		t.Fatalf("event %v %v, want started", e.Kind, e.Err)
	}
}

// A startup check that fails every attempt fails the start, after exactly
// Attempts probes.
func TestMonitorStartupFails(t *testing.T) {
	t.Parallel()
	port, _, hits := flaky(t)
	events, _ := watch(t, port, quick(Startup, "/", 3))
	e := next(t, events)
	if e.Kind != StartFailed || !strings.Contains(e.Err.Error(), "503") {
		t.Fatalf("event %v %v, want start failed with the 503", e.Kind, e.Err)
	}
	if n := hits.Load(); n != 3 {
		t.Errorf("%d probes, want 3", n)
	}
}

// A warn-only startup check that fails is a warning and the start goes on.
func TestMonitorWarnOnly(t *testing.T) {
	t.Parallel()
	port, _, _ := flaky(t)
	c := quick(Startup, "/", 2)
	c.Warn = true
	events, _ := watch(t, port, c)
	if e := next(t, events); e.Kind != Warning {
		t.Fatalf("event %v, want warning", e.Kind)
	}
	if e := next(t, events); e.Kind != Started {
		t.Fatalf("event %v, want started", e.Kind)
	}
}

// Liveness: Attempts failures in a row make one Unhealthy event; a single
// failure between successes does not.
func TestMonitorLiveness(t *testing.T) {
	t.Parallel()
	var fail atomic.Int64 // how many of the next probes fail
	var probes atomic.Int64
	port := server(t, func(w http.ResponseWriter, r *http.Request) {
		probes.Add(1)
		if fail.Load() > 0 {
			fail.Add(-1)
			http.Error(w, "stuck", http.StatusInternalServerError)
		}
	})
	fail.Store(2) // two in a row, fewer than 3: no event
	events, _ := watch(t, port, quick(Liveness, "/", 3))
	if e := next(t, events); e.Kind != Started {
		t.Fatalf("event %v, want started", e.Kind)
	}
	testkit.WaitFor(t, "six probes", 20*time.Second, func() bool { return probes.Load() >= 6 })
	select {
	case e := <-events: // the monitor waits to send: an event would be here
		t.Fatalf("event %v %v after two failures of three", e.Kind, e.Err)
	default:
	}
	fail.Store(1 << 30)
	e := next(t, events)
	if e.Kind != Unhealthy || !strings.Contains(e.Err.Error(), "500") {
		t.Fatalf("event %v %v, want unhealthy", e.Kind, e.Err)
	}
}

// Readiness: ready once the check passes, not ready after Attempts
// failures in a row, ready again when it recovers.
func TestMonitorReadiness(t *testing.T) {
	t.Parallel()
	port, healthy, _ := flaky(t)
	events, _ := watch(t, port, quick(Readiness, "/", 2))
	if e := next(t, events); e.Kind != Started {
		t.Fatalf("event %v, want started", e.Kind)
	}
	healthy.Store(true)
	if e := next(t, events); e.Kind != Ready {
		t.Fatalf("event %v, want ready", e.Kind)
	}
	healthy.Store(false)
	if e := next(t, events); e.Kind != NotReady || !strings.Contains(e.Err.Error(), "503") {
		t.Fatalf("event %v %v, want not ready", e.Kind, e.Err)
	}
	healthy.Store(true)
	if e := next(t, events); e.Kind != Ready {
		t.Fatalf("event %v, want ready again", e.Kind)
	}
}

// An uptime startup check fails when the instance exits first.
func TestMonitorUptimeExit(t *testing.T) {
	t.Parallel()
	events, exited := watch(t, 1, Check{Type: Startup, Kind: Uptime, Uptime: time.Minute})
	close(exited)
	if e := next(t, events); e.Kind != StartFailed || !strings.Contains(e.Err.Error(), "exited after") {
		t.Fatalf("event %v %v, want start failed", e.Kind, e.Err)
	}
}
