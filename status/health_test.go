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

// A job whose latest due run was skipped because the lock database was
// unavailable fails /healthz/cron at once, naming the job and the reason,
// although it succeeded a minute ago; other skips do not.
func TestCronUnhealthyWhileTheLockDatabaseIsUnavailable(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ok := now.Add(-time.Minute)
	job := Job{ID: "ab12cd34", Command: "bin/report", Gap: time.Minute, LastSuccess: &ok,
		Skipped: &Skip{Scheduled: now, At: now, Reason: SkipDatabaseUnavailable, Detail: "dial tcp 127.0.0.1:1: connection refused"}}
	s := Snapshot{Started: now.Add(-time.Hour), Cron: []Job{job}}
	healthy, why := s.Healthy(Cron, now)
	if healthy || why != "cron ab12cd34 (bin/report): lock database unavailable: the run due at 2026-11-23T10:00:00Z was skipped (dial tcp 127.0.0.1:1: connection refused)" {
		t.Errorf("database unavailable: %v %q", healthy, why)
	}
	for _, reason := range []string{"locked", "policy", "lock-error"} {
		s.Cron[0].Skipped.Reason = reason
		if healthy, why := s.Healthy(Cron, now); !healthy {
			t.Errorf("a %s skip failed the check: %s", reason, why)
		}
	}
	// Suspended meanwhile, the job starts no run that could clear the
	// skip: it is ignored, as every suspended job is.
	s.Cron[0].Skipped.Reason = SkipDatabaseUnavailable
	s.Cron[0].Suspended = true
	if healthy, why := s.Healthy(Cron, now); !healthy {
		t.Errorf("a suspended job's skip failed the check: %s", why)
	}
	s.Cron[0].Suspended = false
	s.Cron[0].Skipped = nil // the next run got past the database
	if healthy, why := s.Healthy(Cron, now); !healthy {
		t.Errorf("after a run: %s", why)
	}
}
