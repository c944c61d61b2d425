package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// TestRobfigDSTBaseline pins what robfig/cron v3.0.1 itself does at the DST
// edges, which Schedule.Next corrects (see TestScheduleDST): it skips a
// fixed time that falls into the spring-forward gap (no run that day) and
// runs a fixed time twice when the clock falls back. If robfig changes,
// this test says so and the correction may no longer be needed.
func TestRobfigDSTBaseline(t *testing.T) {
	for _, tc := range []struct {
		spec string
		from time.Time
		want string
	}{
		{"CRON_TZ=America/New_York 30 2 * * *", time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC),
			"03-09 02:30 EDT, 03-10 02:30 EDT"},
		{"CRON_TZ=America/New_York 30 1 * * *", time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC),
			"11-01 01:30 EDT, 11-01 01:30 EST"},
		{"CRON_TZ=Europe/Berlin 15 2 * * *", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
			"03-30 02:15 CEST, 03-31 02:15 CEST"},
		{"CRON_TZ=Europe/Berlin 15 2 * * *", time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC),
			"10-25 02:15 CEST, 10-25 02:15 CET"},
	} {
		s, err := dokkuParser.Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		loc := s.(*cron.SpecSchedule).Location
		var got []string
		for at := tc.from; len(got) < 2; {
			at = s.Next(at)
			got = append(got, at.In(loc).Format("01-02 15:04 MST"))
		}
		if strings.Join(got, ", ") != tc.want {
			t.Errorf("robfig %q: got %v, want %s", tc.spec, got, tc.want)
		}
	}
}

// TestScheduleDSTStepInFixedHour checks a stepped minute in a fixed hour:
// both runs skipped by spring forward become one run after the gap, and
// the repeated hour of fall back runs once.
func TestScheduleDSTStepInFixedHour(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	s, err := Parse("*/30 2 * * *", berlin)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from time.Time
		want string
	}{
		{time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), "03-29 03:00 CEST, 03-30 02:00 CEST, 03-30 02:30 CEST"},
		{time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), "10-25 02:00 CEST, 10-25 02:30 CEST, 10-26 02:00 CET"},
	} {
		var got []string
		for _, n := range s.NextN(tc.from, 3) {
			got = append(got, n.In(berlin).Format("01-02 15:04 MST"))
		}
		if strings.Join(got, ", ") != tc.want {
			t.Errorf("from %v: got %v, want %s", tc.from, got, tc.want)
		}
	}
}

// TestScheduleDSTManyRunsInRepeatedHour: every run of a fixed hour that
// comes round again after fall back is skipped, not just the first two.
func TestScheduleDSTManyRunsInRepeatedHour(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	s, err := Parse("*/10 1 * * *", ny)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 1, 5, 35, 0, 0, time.UTC) // 01:35 EDT
	var got []string
	for _, n := range s.NextN(from, 3) {
		got = append(got, n.In(ny).Format("01-02 15:04 MST"))
	}
	if want := "11-01 01:40 EDT, 11-01 01:50 EDT, 11-02 01:00 EST"; strings.Join(got, ", ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}
