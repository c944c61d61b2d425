package lifecycle

import (
	"errors"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/status"
)

var testBackoff = Backoff{Min: time.Second, Max: 4 * time.Second, Healthy: time.Minute, GiveUp: 5, Quick: time.Second, HotLoop: 3}

func TestWithDefaults(t *testing.T) {
	if got := (Backoff{Min: time.Millisecond}).WithDefaults(); got.Min != time.Millisecond || got.Max != DefaultBackoff.Max || got.GiveUp != DefaultBackoff.GiveUp || got.HotLoop != DefaultBackoff.HotLoop {
		t.Errorf("%+v", got)
	}
}

// Quick crashes double the delay up to Max and give up at GiveUp; a run
// of Healthy starts the count again.
func TestCrashed(t *testing.T) {
	l := NewState(testBackoff)
	var delays []time.Duration
	for range 4 {
		d, giveUp := l.Crashed(testBackoff, time.Millisecond)
		if giveUp {
			t.Fatal("gave up early")
		}
		delays = append(delays, d)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}; !slices.Equal(delays, want) {
		t.Errorf("delays %v, want %v", delays, want)
	}
	if _, giveUp := l.Crashed(testBackoff, time.Millisecond); !giveUp || l.QuickCrashes != 5 {
		t.Errorf("no give-up after 5 quick crashes (%d)", l.QuickCrashes)
	}
	if d, giveUp := l.Crashed(testBackoff, time.Hour); giveUp || d != time.Second || l.QuickCrashes != 1 {
		t.Errorf("after a healthy run: %v %v %d", d, giveUp, l.QuickCrashes)
	}
	l.Reset(testBackoff)
	if l.QuickCrashes != 0 || l.Delay != time.Second {
		t.Errorf("reset: %+v", l)
	}
}

// Exits 0 are recycles until HotLoop of them in a row came quickly; that
// is said once; a slow one or a crash starts the count again.
func TestRecycled(t *testing.T) {
	var l State
	type r struct{ recycle, hotLoop bool }
	var got []r
	for _, c := range []struct {
		clean bool
		ran   time.Duration
	}{{true, 0}, {true, 0}, {true, 0}, {true, 0}, {true, time.Hour}, {true, 0}, {false, 0}, {true, 0}, {true, 0}} {
		rec, hot := l.Recycled(testBackoff, c.clean, c.ran)
		got = append(got, r{rec, hot})
	}
	want := []r{{true, false}, {true, false}, {false, true}, {false, false}, {true, false}, {true, false}, {false, false}, {true, false}, {true, false}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Two samples in a row above the limit recycle, once; one below starts
// again; a pending recycle is not asked again.
func TestSampled(t *testing.T) {
	var l State
	var got []bool
	for _, rss := range []int64{200, 50, 200, 200, 200} {
		got = append(got, l.Sampled(rss, 100))
	}
	if want := []bool{false, false, false, true, false}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	l.Ended()
	l.Pending = ReasonAge
	first := l.Sampled(200, 100)
	if second := l.Sampled(200, 100); first || second {
		t.Error("recycled with one pending")
	}
}

func TestRecycleStatus(t *testing.T) {
	var l State
	p := status.Process{State: status.Exited}
	l.Status(&p, true)
	if p.Recycles != nil || p.State != status.Exited {
		t.Errorf("%+v", p)
	}
	l.Count(ReasonMemory)
	l.Count(ReasonAge)
	l.Count(ReasonMemory)
	l.Failed = true
	l.Status(&p, true)
	if p.RecycleCount != 3 || p.Recycles[ReasonMemory] != 2 || p.LastRecycle != ReasonMemory || p.State != status.Failed {
		t.Errorf("%+v", p)
	}
	p = status.Process{State: status.Running}
	l.Status(&p, false)
	if p.State != status.Running {
		t.Errorf("a running instance of a failed type: %s", p.State)
	}
}

func TestAgeDelay(t *testing.T) {
	for range 100 {
		if d := AgeDelay(time.Hour); d > time.Hour || d < 54*time.Minute {
			t.Fatalf("AgeDelay(1h) = %v", d)
		}
	}
}

// The verdicts: starting until the startup checks pass, up once ready if
// there are readiness checks; the probes are kept in the checks' order.
func TestHealth(t *testing.T) {
	if h := NewHealth(nil, false); h != nil || !h.Up() || h.StartFailed() {
		t.Errorf("no checks: %+v", h)
	}
	start := health.Check{Type: health.Startup, Name: "start"}
	ready := health.Check{Type: health.Readiness, Name: "ready"}
	h := NewHealth([]health.Check{start, ready}, false)
	if !h.Starting || !h.HasReadiness || h.Up() {
		t.Errorf("new: %+v", h)
	}
	h.Starting = false
	if h.Up() {
		t.Error("up before ready")
	}
	h.Ready = true
	if !h.Up() {
		t.Error("not up when ready")
	}
	h.Record(ready, errors.New("boom"))
	h.Record(ready, nil)
	h.Record(health.Check{Type: health.Liveness, Name: "other"}, nil) // not one of its checks
	p := status.Process{State: status.Running}
	h.Status(&p)
	if len(p.Checks) != 2 || p.Checks[0].Probed || !p.Checks[1].Up || p.Checks[1].Failures != 1 || p.Checks[1].Error != "boom" || p.Ready == nil || !*p.Ready {
		t.Errorf("%+v", p)
	}
	if s := NewHealth([]health.Check{start}, true); s.Starting {
		t.Error("starting when its startup checks passed before")
	}
	h.Failed = start.Label()
	if !h.StartFailed() {
		t.Error("StartFailed")
	}
	p = status.Process{State: status.Running}
	NewHealth([]health.Check{start}, false).Status(&p)
	if p.State != status.Starting {
		t.Errorf("state %s", p.State)
	}
}

// The cache answers from its last pass while it is fresh and of the same
// groups.
func TestUsageCache(t *testing.T) {
	var c UsageCache
	pg := syscall.Getpgrp()
	me := []int{pg}
	if u := c.Get(me, time.Hour); u[pg].RSS == 0 && runtime.GOOS == "linux" {
		t.Errorf("no usage of this test: %v", u)
	}
	c.usage[-1] = c.usage[pg] // marks this pass
	if _, ok := c.Get(me, time.Hour)[-1]; !ok {
		t.Error("measured again while fresh")
	}
	if _, ok := c.Get(me, 0)[-1]; ok {
		t.Error("not measured again once stale")
	}
	c.usage[-1] = c.usage[pg]
	if _, ok := c.Get(nil, time.Hour)[-1]; ok {
		t.Error("not measured again for other groups")
	}
}

func TestMatch(t *testing.T) {
	names := []string{"web.1", "web.2", "worker.1", "clock.1"}
	types := []string{"web", "web", "worker", "clock"}
	for _, c := range []struct {
		target string
		want   []int
		err    string
	}{
		{"", []int{0, 1, 2, 3}, ""},
		{"web", []int{0, 1}, ""},
		{"worker.1, web.*", []int{2, 0, 1}, ""},
		{"web.2,web", []int{1, 0}, ""},
		{"w*", []int{0, 1, 2}, ""},
		{"web,nope", nil, `no process "nope"; running: [web.1 web.2 worker.1 clock.1]`},
	} {
		got, err := Match(c.target, names, types)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: %v, want %s", c.target, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: %v %v, want %v", c.target, got, err, c.want)
		}
	}
}

func TestChanges(t *testing.T) {
	c := NewChanges()
	if c.String() != "" {
		t.Errorf("empty: %q", c)
	}
	c.Add("web", "restarted (environment changed)")
	c.Add("worker", "restarted (environment changed)")
	c.Add("worker", "health checks changed")
	c.Add("clock", "started")
	c.Add("clock", "started")
	c.Other = append(c.Other, "1 cron entries added")
	c.EnvChanged()
	want := "worker health checks changed, clock started, environment changed: restarted web, worker, 1 cron entries added"
	if c.String() != want {
		t.Errorf("got  %q\nwant %q", c, want)
	}
}

func TestCronChanges(t *testing.T) {
	old := []cron.Job{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	now := []cron.Job{{ID: "a"}, {ID: "c", Timeout: time.Minute}, {ID: "d"}, {ID: "e"}}
	if got, want := CronChanges(old, now), "2 cron entries added, 1 cron entries removed, 1 cron entries updated"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := CronChanges(old, old); got != "" {
		t.Errorf("no change: %q", got)
	}
}

// Each health event's verdict: what changes, what is done, what is said.
func TestHealthSaw(t *testing.T) {
	start := health.Check{Type: health.Startup, Name: "boot", Attempts: 3}
	ready := health.Check{Type: health.Readiness, Name: "db"}
	boom := errors.New("boom")
	h := NewHealth([]health.Check{start, ready}, false)
	for i, c := range []struct {
		e    health.Event
		want Verdict
	}{
		{health.Event{Kind: health.Started, Check: start}, Verdict{StartHeld, "web.1 passed its startup checks", false}},
		{health.Event{Kind: health.Started, Check: start}, Verdict{}},
		{health.Event{Kind: health.Ready, Check: ready}, Verdict{StartHeld, "web.1 is ready", false}},
		{health.Event{Kind: health.NotReady, Check: ready, Err: boom}, Verdict{Carry, `web.1 is not ready: its readiness check "db" failed 1 times in a row: boom`, true}},
		{health.Event{Kind: health.Unhealthy, Check: ready, Err: boom}, Verdict{Restart, `web.1 failed its liveness check "db" 1 times in a row: boom: restarting it`, true}},
		{health.Event{Kind: health.Warning, Check: ready, Err: boom}, Verdict{Carry, `warning: web.1: health check "db" failed: boom (warn only)`, true}},
		{health.Event{Kind: health.StartFailed, Check: start, Err: boom}, Verdict{Stop, `web.1 failed its startup check "boot" after 3 attempts: boom: stopping it`, true}},
	} {
		if got := h.Saw("web.1", c.e); got != c.want {
			t.Errorf("%d: got %+v, want %+v", i, got, c.want)
		}
	}
	if h.Starting || h.Ready || !h.StartFailed() {
		t.Errorf("after the events: %+v", h)
	}
}
