package status

import (
	"strings"
	"testing"
	"time"
)

func TestCronHealthy(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday
	friday := now.Add(-72 * time.Hour)
	weekAgo := now.Add(-7 * 24 * time.Hour)
	snap := func(last *time.Time, gap time.Duration) Snapshot {
		return Snapshot{Started: weekAgo, Cron: []Job{{ID: "ab12cd34", Command: "bin/report", Gap: gap, LastSuccess: last}}}
	}
	if ok, why := snap(&friday, 72*time.Hour).Healthy(Cron, now); !ok {
		t.Errorf("a weekday job that ran on Friday fails on Monday: %s", why)
	}
	if ok, why := snap(&weekAgo, 24*time.Hour).Healthy(Cron, now); ok || !strings.Contains(why, "cron ab12cd34 (bin/report) has not succeeded for 168h0m0s (allowed: 48h0m0s)") {
		t.Errorf("a daily job silent for a week: %v %q", ok, why)
	}
	if ok, _ := snap(nil, time.Hour).Healthy(Cron, now); ok {
		t.Error("a job that never succeeded since a week passed")
	}
	suspended := snap(&weekAgo, 24*time.Hour)
	suspended.Cron[0].Suspended = true
	if ok, why := suspended.Healthy(Cron, now); !ok {
		t.Errorf("a suspended job counts for the dead man's switch: %s", why)
	}
}

// Processes is liveness alone; Processes|Cron fails on either.
func TestHealthyChecks(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := Snapshot{Started: now.Add(-time.Hour), Processes: []Process{{Name: "web.1", State: Exited, Expected: true}},
		Cron: []Job{{ID: "j", Command: "x", Gap: time.Minute}}}
	if ok, why := s.Healthy(Processes, now); ok || why != "web.1 is exited" {
		t.Errorf("Processes: %v %q", ok, why)
	}
	if ok, why := s.Healthy(Cron, now); ok || !strings.HasPrefix(why, "cron j (x) has not succeeded") {
		t.Errorf("Cron: %v %q", ok, why)
	}
	s.Processes[0].State = Running
	if ok, why := s.Healthy(Processes|Cron, now); ok || !strings.HasPrefix(why, "cron j") {
		t.Errorf("Processes|Cron: %v %q", ok, why)
	}
	s.Draining = true
	if ok, why := s.Healthy(Processes, now); ok || why != "stopping" {
		t.Errorf("draining: %v %q", ok, why)
	}
	if ok, why := (Snapshot{}).Healthy(Processes|Cron, now); !ok || why != "ok" {
		t.Errorf("empty: %v %q", ok, why)
	}
}
