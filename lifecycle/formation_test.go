package lifecycle

import (
	"maps"
	"slices"
	"testing"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
)

func member(typ string, running bool) *Member {
	m := NewMember(spec.Instance{Type: typ}, testBackoff)
	m.Running = running
	return &m
}

func TestLivePerType(t *testing.T) {
	retiring := member("web", true)
	retiring.Retiring = true
	got := LivePerType([]*Member{member("web", true), member("web", true), retiring, member("worker", false), member("clock", true)})
	if want := map[string]int{"web": 2, "clock": 1}; !maps.Equal(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
}

// A type is up when every member of it is (a removed one does not count);
// --after's types are up when each is.
func TestTypeUp(t *testing.T) {
	starting := member("db", true)
	starting.Health = NewHealth([]health.Check{{Type: health.Startup}}, false)
	removed := member("web", false)
	removed.Removed = true
	ms := []*Member{member("web", true), removed, member("db", true), starting, member("cache", true)}
	if !TypeUp(ms, "web") || TypeUp(ms, "db") || !TypeUp(ms, "none") {
		t.Errorf("web %v, db %v, none %v; want true, false, true", TypeUp(ms, "web"), TypeUp(ms, "db"), TypeUp(ms, "none"))
	}
	if !DepsUp(ms, nil) || !DepsUp(ms, []string{"web", "cache"}) || DepsUp(ms, []string{"web", "db"}) {
		t.Error("DepsUp")
	}
	starting.Health.Starting = false
	if !DepsUp(ms, []string{"web", "db"}) {
		t.Error("db not up once past its startup checks")
	}
}

// A type is steady when every member that should run is up: one stopped
// by the user, given up on, held or waiting for a change does not count.
func TestTypeSteady(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Member
		want bool
	}{
		{"down", member("web", false), false},
		{"stopped", &Member{Spec: spec.Instance{Type: "web"}, UserStopped: true}, true},
		{"failed", &Member{Spec: spec.Instance{Type: "web"}, Life: State{Failed: true}}, true},
		{"held", &Member{Spec: spec.Instance{Type: "web"}, Held: true}, true},
		{"waiting", &Member{Spec: spec.Instance{Type: "web"}, Waiting: true}, true},
		{"removed", &Member{Spec: spec.Instance{Type: "web"}, Removed: true}, true},
		{"other type", member("worker", false), true},
		{"retiring", &Member{Spec: spec.Instance{Type: "web"}, Running: true, Retiring: true}, false},
	} {
		if got := TypeSteady([]*Member{member("web", true), tc.m}, "web"); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLastExitCode(t *testing.T) {
	a, b, c := member("a", false), member("b", false), member("c", false)
	if LastExitCode([]*Member{a, b, c}) != 0 {
		t.Error("nonzero without a failure")
	}
	a.LastStatus, b.LastStatus = proc.ExitStatus{Code: 3}, proc.ExitStatus{Code: 4}
	if got := LastExitCode([]*Member{a, b, c}); got != 4 {
		t.Errorf("%d, want 4 (the last nonzero)", got)
	}
}

// The roll takes one pending recycle per steady type, in the formation's
// order; a recycle of a member that no longer runs is dropped; a type
// that is not steady waits.
func TestRoll(t *testing.T) {
	web1, web2, worker, gone := member("web", true), member("web", true), member("worker", true), member("clock", false)
	db := member("db", true)
	db.Health = NewHealth([]health.Check{{Type: health.Readiness}}, false)
	ms := []*Member{web1, web2, worker, gone, db}
	for _, m := range ms {
		m.Life.Pending = ReasonAge
		m.Life.QuickCrashes = 2
	}
	if got, want := Roll(ms, testBackoff), []int{0, 2}; !slices.Equal(got, want) {
		t.Fatalf("rolled %v, want %v", got, want)
	}
	if web1.Life.Pending != "" || web1.Life.recycles[ReasonAge] != 1 || web1.Life.QuickCrashes != 0 || web1.Life.last != ReasonAge {
		t.Errorf("web.1 rolled: %+v", web1.Life)
	}
	if web2.Life.Pending != ReasonAge || gone.Life.Pending != "" || gone.Life.recycles != nil || db.Life.Pending != ReasonAge {
		t.Errorf("pending: web.2 %q, clock %q, db %q", web2.Life.Pending, gone.Life.Pending, db.Life.Pending)
	}
	web1.Retiring = true // being replaced: web is not steady until it is up again
	if got := Roll(ms, testBackoff); len(got) != 0 {
		t.Errorf("rolled %v while web.1 is replaced and db not ready", got)
	}
	web1.Retiring = false
	db.Health.Ready = true
	if got, want := Roll(ms, testBackoff), []int{1, 4}; !slices.Equal(got, want) {
		t.Errorf("rolled %v, want %v", got, want)
	}
}
