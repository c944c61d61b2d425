package cron

import (
	"testing"
	"time"

	"github.com/tend-run/tend/schedule"
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
		s, err := schedule.Parse(spec, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := scheduleGap(Job{Schedule: s}, monday); got != want {
			t.Errorf("%s: gap %v, want %v", spec, got, want)
		}
	}
}
