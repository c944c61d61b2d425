package lifecycle

import (
	"testing"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

func TestMemberProcess(t *testing.T) {
	next := &spec.Instance{}
	for _, tc := range []struct {
		name     string
		m        Member
		draining bool
		state    string
		expected bool
	}{
		{"running", Member{Running: true}, false, status.Running, true},
		{"draining", Member{Running: true}, true, status.Running, false},
		{"stopping", Member{Running: true, Retiring: true}, false, status.Stopping, true},
		{"replacing", Member{Running: true, Retiring: true, Next: next}, false, status.Stopping, false},
		{"restarting", Member{Restarting: true}, false, status.Restarting, false},
		{"stopped", Member{UserStopped: true}, false, status.Stopped, false},
		{"waiting", Member{Waiting: true}, false, status.Waiting, false},
		{"held", Member{Held: true}, false, status.Held, true},
		{"exited", Member{}, false, status.Exited, true},
		{"may die", Member{Spec: spec.Instance{CanDie: true}}, false, status.Exited, false},
		{"failed", Member{Spec: spec.Instance{CanDie: true}, Life: State{Failed: true}}, false, status.Failed, true},
		{"starting", Member{Running: true, Health: NewHealth([]health.Check{{Type: health.Startup}}, false)}, false, status.Starting, true},
	} {
		p := tc.m.Process(0, nil, tc.draining)
		if p.State != tc.state || p.Expected != tc.expected {
			t.Errorf("%s: %s, expected %v; want %s, %v", tc.name, p.State, p.Expected, tc.state, tc.expected)
		}
	}
	m := Member{Spec: spec.Instance{Name: "web.1", Type: "web", MaxMemory: 100}, Running: true, Exits: 1, LastStatus: proc.ExitStatus{Code: 3}}
	p := m.Process(42, map[int]procfs.Usage{42: {RSS: 64}}, false)
	if p.Name != "web.1" || p.Type != "web" || p.Pid != 42 || p.LastExit == nil || *p.LastExit != 3 || p.Memory != 64 || p.MaxMemory != 100 {
		t.Errorf("%+v", p)
	}
	if p := m.Process(0, map[int]procfs.Usage{0: {RSS: 64}}, false); p.Memory != 0 || p.Pid != 0 {
		t.Errorf("measured without a running child: %+v", p)
	}
	if p := (&Member{}).Process(0, nil, false); p.LastExit != nil {
		t.Errorf("never exited, yet a last exit: %+v", p)
	}
}
