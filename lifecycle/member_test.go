package lifecycle

import (
	"slices"
	"testing"
	"time"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// A run's transitions: a start after a run is a restart (not the first,
// not one after a start that failed), an exit is counted with its status.
func TestMemberRuns(t *testing.T) {
	m := NewMember(spec.Instance{Name: "web.1"}, testBackoff)
	if m.Life.Delay != testBackoff.Min {
		t.Errorf("delay %v, want the back-off's Min", m.Life.Delay)
	}
	m.Restarting, m.Waiting, m.Held, m.Life.Failed = true, true, true, true
	m.Starting()
	if m.Restarting || m.Waiting || m.Held || m.Life.Failed {
		t.Errorf("still waiting after Starting: %+v", m)
	}
	m.LastStatus = proc.ExitStatus{Code: 127} // the first start failed
	t0 := time.Now()
	m.Started(t0)
	if !m.Running || m.Restarts != 0 || !m.Since.Equal(t0) {
		t.Errorf("first start: %+v", m)
	}
	t1 := t0.Add(time.Second)
	m.Exited(proc.ExitStatus{Code: 3}, t1)
	if m.Running || m.Exits != 1 || m.LastStatus.Code != 3 || !m.Since.Equal(t1) {
		t.Errorf("exit: %+v", m)
	}
	m.Started(t1)
	if m.Restarts != 1 {
		t.Errorf("restarts %d after a second start, want 1", m.Restarts)
	}
}

// Up for --after: live, past its startup checks, ready if it has
// readiness checks.
func TestMemberUp(t *testing.T) {
	ready := NewHealth([]health.Check{{Type: health.Readiness}}, false)
	for _, tc := range []struct {
		name     string
		m        Member
		live, up bool
	}{
		{"not running", Member{}, false, false},
		{"running", Member{Running: true}, true, true},
		{"retiring", Member{Running: true, Retiring: true}, false, false},
		{"not ready", Member{Running: true, Health: ready}, true, false},
	} {
		if tc.m.Live() != tc.live || tc.m.Up() != tc.up {
			t.Errorf("%s: live %v, up %v; want %v, %v", tc.name, tc.m.Live(), tc.m.Up(), tc.live, tc.up)
		}
	}
}

// What keeps tend up: a run, a back-off; while not draining also a user's
// stop, --watch's wait and --after's hold.
func TestMemberKeepsTendUp(t *testing.T) {
	for _, tc := range []struct {
		name        string
		m           Member
		up, drained bool // keeps tend up, and while draining
	}{
		{"exited", Member{}, false, false},
		{"running", Member{Running: true}, true, true},
		{"restarting", Member{Restarting: true}, true, true},
		{"stopped", Member{UserStopped: true}, true, false},
		{"waiting", Member{Waiting: true}, true, false},
		{"held", Member{Held: true}, true, false},
	} {
		if got, drained := tc.m.KeepsTendUp(false), tc.m.KeepsTendUp(true); got != tc.up || drained != tc.drained {
			t.Errorf("%s: %v, draining %v; want %v, %v", tc.name, got, drained, tc.up, tc.drained)
		}
	}
	if !(&Member{Waiting: true}).WaitsForChange() {
		t.Error("an exited member under --watch does not wait for the change")
	}
	for _, m := range []Member{{Waiting: true, Running: true}, {Waiting: true, Retiring: true}, {Waiting: true, Removed: true}, {}} {
		if m.WaitsForChange() {
			t.Errorf("waits for a change: %+v", m)
		}
	}
}

// A recycle waits for a live member only, and the first reason stays.
func TestMemberRecycle(t *testing.T) {
	m := Member{}
	m.Recycle(ReasonAge)
	if m.Life.Pending != "" {
		t.Errorf("a member that does not run has a recycle pending: %q", m.Life.Pending)
	}
	m.Running = true
	m.Recycle(ReasonAge)
	m.Recycle(ReasonMemory)
	if m.Life.Pending != ReasonAge {
		t.Errorf("pending %q, want %q", m.Life.Pending, ReasonAge)
	}
}

// After a retiring member exits: it starts again as Next (its quick
// crashes forgotten), stays listed when stopped by the user or failed,
// else leaves; while draining everything leaves.
func TestMemberRetired(t *testing.T) {
	m := Member{Spec: spec.Instance{Command: "old"}, Retiring: true, Next: &spec.Instance{Command: "new"}}
	m.Life.QuickCrashes = 3
	if again, remove := m.Retired(false); !again || remove || m.Retiring || m.Next != nil || m.Spec.Command != "new" || m.Life.QuickCrashes != 0 {
		t.Errorf("replaced: again %v, remove %v, %+v", again, remove, m)
	}
	for _, tc := range []struct {
		name     string
		m        Member
		draining bool
		remove   bool
	}{
		{"removed by a reload", Member{}, false, true},
		{"stopped by the user", Member{UserStopped: true}, false, false},
		{"failed", Member{Life: State{Failed: true}}, false, false},
		{"stopped while draining", Member{UserStopped: true}, true, true},
	} {
		tc.m.Retiring = true
		again, remove := tc.m.Retired(tc.draining)
		if again || remove != tc.remove || tc.m.Removed != tc.remove || tc.m.Retiring {
			t.Errorf("%s: again %v, remove %v, %+v; want remove %v", tc.name, again, remove, tc.m, tc.remove)
		}
	}
}

// What each control operation does, and records, for a member in each
// state.
func TestMemberControl(t *testing.T) {
	for _, tc := range []struct {
		name  string
		op    string
		m     Member
		rolls bool
		want  Act
		check func(m Member) bool
	}{
		{"restart running", status.OpRestart, Member{Running: true, UserStopped: true}, false, Replace,
			func(m Member) bool { return !m.UserStopped && m.Life.recycles[ReasonManual] == 1 }},
		{"restart one of several", status.OpRestart, Member{Running: true}, true, Queued,
			func(m Member) bool { return m.Life.Pending == ReasonManual && m.Life.recycles == nil }},
		{"restart all at once", status.OpRestartAllAtOnce, Member{Running: true}, true, Replace,
			func(m Member) bool { return m.Life.Pending == "" }},
		{"restart stopped", status.OpRestart, Member{UserStopped: true}, true, Replace,
			func(m Member) bool { return !m.UserStopped && m.Life.recycles == nil }},
		{"restart resets the back-off", status.OpRestart, Member{Life: State{QuickCrashes: 4, Delay: time.Hour}}, false, Replace,
			func(m Member) bool { return m.Life.QuickCrashes == 0 && m.Life.Delay == testBackoff.Min }},
		{"stop running", status.OpStop, Member{Running: true}, false, Retire, func(m Member) bool { return m.UserStopped }},
		{"stop stopped", status.OpStop, Member{UserStopped: true}, false, Leave, nil},
		{"start stopped", status.OpStart, Member{UserStopped: true, Retiring: true}, false, Start, func(m Member) bool { return !m.UserStopped }},
		{"start exited", status.OpStart, Member{}, false, Start, nil},
		{"start running", status.OpStart, Member{Running: true}, false, Leave, nil},
		{"start restarting", status.OpStart, Member{Restarting: true}, false, Leave, nil},
		{"start retiring", status.OpStart, Member{Retiring: true}, false, Leave, nil},
		{"status", status.OpStatus, Member{}, false, Leave, nil},
	} {
		if got := tc.m.Control(tc.op, testBackoff, tc.rolls); got != tc.want || tc.check != nil && !tc.check(tc.m) {
			t.Errorf("%s: %v, %+v; want %v", tc.name, got, tc.m, tc.want)
		}
	}
}

// An exit 0 of a restarted type is a recycle, but not after a failed
// startup check (a crash, status 1), nor of a retiring member, nor while
// draining; the HotLoop-th quick one in a row is a hot loop.
func TestMemberJudged(t *testing.T) {
	ok, crash := proc.ExitStatus{}, proc.ExitStatus{Code: 2}
	m := Member{}
	if st, recycle, hot := m.Judged(ok, time.Minute, testBackoff, true, false); st != ok || !recycle || hot {
		t.Errorf("exit 0: %v, recycle %v, hot loop %v", st, recycle, hot)
	}
	for _, tc := range []struct {
		name                string
		m                   Member
		st                  proc.ExitStatus
		restarted, draining bool
		judged              proc.ExitStatus
	}{
		{"crash", Member{}, crash, true, false, crash},
		{"not restarted", Member{}, ok, false, false, ok},
		{"draining", Member{}, ok, true, true, ok},
		{"retiring", Member{Retiring: true}, ok, true, false, ok},
		{"startup check failed", Member{Health: &Health{Failed: "boot"}}, ok, true, false, proc.ExitStatus{Code: 1}},
	} {
		if st, recycle, _ := tc.m.Judged(tc.st, time.Minute, testBackoff, tc.restarted, tc.draining); st != tc.judged || recycle {
			t.Errorf("%s: %v, recycle %v; want %v, no recycle", tc.name, st, recycle, tc.judged)
		}
	}
	var hot []bool
	for range testBackoff.HotLoop + 1 {
		_, recycle, h := m.Judged(ok, time.Millisecond, testBackoff, true, false)
		hot = append(hot, h)
		if h && recycle {
			t.Error("a hot loop recycled")
		}
	}
	if want := []bool{false, false, true, false}; !slices.Equal(hot, want) {
		t.Errorf("hot loop said %v, want %v", hot, want)
	}
}

// What an exit on its own leads to: nothing while draining, its restart
// policy first, then --can-die, then --watch; else tend stops.
func TestMemberOutcome(t *testing.T) {
	web, worker := &Member{Spec: spec.Instance{Name: "web.1"}}, &Member{Spec: spec.Instance{Name: "worker.1", CanDie: true}}
	for _, c := range []struct {
		m                             *Member
		draining, restarted, watching bool
		want                          Outcome
	}{
		{web, true, true, true, StaysDown},
		{web, false, true, true, RestartsLater},
		{worker, false, true, false, RestartsLater},
		{worker, false, false, true, StaysDown},
		{web, false, false, true, WaitsForNextChange},
		{web, false, false, false, StopsTend},
	} {
		if got := c.m.Outcome(c.draining, c.restarted, c.watching); got != c.want {
			t.Errorf("%s draining %v restarted %v watching %v: %v, want %v", c.m.Spec.Name, c.draining, c.restarted, c.watching, got, c.want)
		}
	}
}

// A reload replaces a member whose command or environment changed (its
// spec stays until then), else applies in place; new health checks take
// over only while it runs.
func TestMemberReloaded(t *testing.T) {
	old := spec.Instance{Name: "web.1", Command: "serve", Env: []string{"A=1"}}
	m := &Member{Spec: old}
	want := old
	want.Command = "serve --new"
	if restart, recheck := m.Reloaded(want); restart != "restarted (command changed)" || recheck || m.Spec.Command != "serve" {
		t.Errorf("command changed: %q %v, spec %+v", restart, recheck, m.Spec)
	}
	want = old
	want.Env = []string{"A=2"}
	if restart, _ := m.Reloaded(want); restart != "restarted (environment changed)" || m.Spec.Env[0] != "A=1" {
		t.Errorf("environment changed: %q, spec %+v", restart, m.Spec)
	}
	want = old
	want.CanDie = true
	if restart, recheck := m.Reloaded(want); restart != "" || recheck || !m.Spec.CanDie {
		t.Errorf("can-die: %q %v, spec %+v", restart, recheck, m.Spec)
	}
	want.Checks = []health.Check{{Type: health.Liveness}}
	if _, recheck := m.Reloaded(want); recheck || len(m.Spec.Checks) != 1 {
		t.Errorf("new checks while it does not run: recheck %v, spec %+v", recheck, m.Spec)
	}
	m.Running = true
	want.Checks = nil
	if _, recheck := m.Reloaded(want); !recheck || len(m.Spec.Checks) != 0 {
		t.Errorf("checks removed while it runs: recheck %v, spec %+v", recheck, m.Spec)
	}
}
