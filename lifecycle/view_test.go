package lifecycle

import (
	"testing"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/status"
)

func TestFactsProcess(t *testing.T) {
	failed := NewState(Backoff{})
	failed.Failed = true
	for _, tc := range []struct {
		name     string
		f        Facts
		draining bool
		state    string
		expected bool
	}{
		{"running", Facts{Running: true}, false, status.Running, true},
		{"draining", Facts{Running: true}, true, status.Running, false},
		{"stopping", Facts{Running: true, Retiring: true}, false, status.Stopping, true},
		{"replacing", Facts{Running: true, Retiring: true, Replacing: true}, false, status.Stopping, false},
		{"restarting", Facts{Restarting: true}, false, status.Restarting, false},
		{"stopped", Facts{UserStopped: true}, false, status.Stopped, false},
		{"waiting", Facts{Waiting: true}, false, status.Waiting, false},
		{"held", Facts{Held: true}, false, status.Held, true},
		{"exited", Facts{}, false, status.Exited, true},
		{"may die", Facts{CanDie: true}, false, status.Exited, false},
		{"failed", Facts{CanDie: true, Life: &failed}, false, status.Failed, true},
		{"starting", Facts{Running: true, Health: NewHealth([]health.Check{{Type: health.Startup}}, false)}, false, status.Starting, true},
	} {
		if tc.f.Life == nil {
			l := NewState(Backoff{})
			tc.f.Life = &l
		}
		p := tc.f.Process(tc.draining)
		if p.State != tc.state || p.Expected != tc.expected {
			t.Errorf("%s: %s, expected %v; want %s, %v", tc.name, p.State, p.Expected, tc.state, tc.expected)
		}
	}
	life := NewState(Backoff{})
	p := Facts{Name: "web.1", Type: "web", Running: true, Pid: 42, Exits: 1, LastExit: 3, MaxMemory: 100, Life: &life,
		Usage: procfs.Usage{RSS: 64}, Measured: true}.Process(false)
	if p.Name != "web.1" || p.Type != "web" || p.Pid != 42 || p.LastExit == nil || *p.LastExit != 3 || p.Memory != 64 || p.MaxMemory != 100 {
		t.Errorf("%+v", p)
	}
	if p := (Facts{Life: &life}).Process(false); p.LastExit != nil {
		t.Errorf("never exited, yet a last exit: %+v", p)
	}
}
