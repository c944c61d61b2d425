package runner

import (
	"testing"
	"time"

	"github.com/tend-run/tend/cronfile"
)

func TestScheduleGapToleratesWeekends(t *testing.T) {
	monday := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for spec, want := range map[string]time.Duration{
		"0 9 * * 1-5":  72 * time.Hour, // Friday 09:00 → Monday 09:00
		"*/15 * * * *": 15 * time.Minute,
		"@daily":       24 * time.Hour,
		"@every 90s":   90 * time.Second,
		"0 0 1 * *":    31 * 24 * time.Hour, // October 1 → November 1
	} {
		s, err := cronfile.ParseSchedule(spec, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := scheduleGap(CronJob{Schedule: s}, monday); got != want {
			t.Errorf("%s: gap %v, want %v", spec, got, want)
		}
	}
}

func TestMemoryHistorySummary(t *testing.T) {
	h := NewMemoryHistory()
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i, r := range []RunRecord{
		{Outcome: "ok", Duration: 2 * time.Second},
		{Outcome: "failed", Duration: time.Second, ExitCode: 3},
		{Outcome: "skipped"},
		{Outcome: "ok", Duration: 4 * time.Second},
	} {
		r.Job, r.Started = "j", start.Add(time.Duration(i)*time.Minute)
		h.Record(r)
	}
	for range 60 {
		h.Record(RunRecord{Job: "k", Outcome: "ok", Started: start, Duration: time.Second})
	}
	sum := h.Summary("j")
	if sum.Runs != 3 || sum.Failures != 1 || sum.Skips != 1 || sum.AvgSuccess != 3*time.Second ||
		sum.Last.Outcome != "ok" || !sum.LastSuccess.Equal(start.Add(3*time.Minute+4*time.Second)) {
		t.Errorf("summary %+v", sum)
	}
	if k := h.Summary("k"); k.Runs != 60 || len(h.jobs["k"].runs) != keepRuns {
		t.Errorf("k: %+v, kept %d", k, len(h.jobs["k"].runs))
	}
}
