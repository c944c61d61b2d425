package cron

import (
	"testing"
	"time"

	"github.com/tend-run/tend/schedule"
)

func TestLatestDue(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		spec   string
		window time.Duration
		want   time.Time
	}{
		{"0 * * * *", time.Hour, time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)},
		{"30 7 * * *", time.Minute, now}, // due now counts
		{"0 3 * * *", time.Hour, time.Time{}},
		{"0 3 * * *", 5 * time.Hour, time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)},
		{"*/5 * * * *", 24 * time.Hour, now},
		{"@every 1h", 24 * time.Hour, time.Time{}}, // no fixed times
	} {
		s, err := schedule.Parse(tc.spec, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := latestDue(s, now, tc.window); !got.Equal(tc.want) {
			t.Errorf("%s within %v: %v, want %v", tc.spec, tc.window, got, tc.want)
		}
	}
}
