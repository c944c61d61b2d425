package schedule

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func TestEvery(t *testing.T) {
	s, err := Parse("@every 90s", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := s.Every(); !ok || d != 90*time.Second {
		t.Errorf("Every() = %v, %v", d, ok)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := s.NextN(from, 2)
	if len(got) != 2 || !got[0].Equal(from.Add(90*time.Second)) || !got[1].Equal(from.Add(180*time.Second)) {
		t.Errorf("NextN = %v", got)
	}
	s, _ = Parse("@daily", nil)
	if _, ok := s.Every(); ok {
		t.Error("@daily reports an interval")
	}
}

func TestNeverFires(t *testing.T) {
	s, err := Parse("0 0 31 2 *", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(now); !got.IsZero() {
		t.Errorf("Next = %v, want the zero time", got)
	}
	if got := s.NextN(now, 3); len(got) != 0 {
		t.Errorf("NextN = %v, want none", got)
	}
}

func TestScheduleNeverPanics(t *testing.T) {
	for _, spec := range []string{"TZ=", "CRON_TZ=", "TZ=UTC", "CRON_TZ= ", "@every", "* * * *", "", "    "} {
		if _, err := Parse(spec, nil); err == nil {
			t.Errorf("Parse(%q) accepted", spec)
		}
	}
}

func TestScheduleZones(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s, err := Parse("0 9 * * *", berlin)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(now); !got.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("09:00 Berlin after %v = %v", now, got.UTC())
	}
	s, _ = Parse("CRON_TZ=America/New_York 0 9 * * *", berlin)
	if got := s.Next(now); !got.Equal(time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("09:00 New York after %v = %v", now, got.UTC())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"* * * * *", "@daily", "@every 1m", "@every 0s", "@every -1s", "TZ=UTC @every 999ms", "CRON_TZ=Europe/Berlin 0 2 * * *", "0 0 31 2 *", "TZ=", "*/7 1-5 ? 1,6 MON-FRI",
		"CRON_TZ=America/New_York 30 2 * * *", "TZ=Europe/Berlin */30 2 * * *", "0 0 29 2 *", "TZ=UTC", "@reboot", " @reboot", "TZ=UTC @reboot"} {
		f.Add(s, now.Unix())
		f.Add(s, time.Date(2026, 3, 8, 6, 59, 59, 0, time.UTC).Unix())
		f.Add(s, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC).Unix())
	}
	f.Fuzz(func(t *testing.T, spec string, unix int64) {
		s, err := Parse(spec, nil)
		if err != nil {
			return
		}
		if _, every := s.Every(); every && s.written < time.Second {
			t.Fatalf("@every under 1s accepted: %q", spec)
		}
		// Keep t within years robfig can search (it gives up 5 years on).
		from := time.Unix(unix%(400*365*86400), 0)
		for range 3 {
			next := s.Next(from)
			if next.IsZero() {
				return
			}
			if !next.After(from) {
				t.Fatalf("%q: Next(%v) = %v, not after", spec, from, next)
			}
			from = next
		}
	})
}

func TestScheduleDST(t *testing.T) {
	for _, tc := range []struct {
		zone, spec string
		from       time.Time
		want       []string
	}{
		// Spring forward: 02:30 does not exist on 03-08; it runs once at 03:00.
		{"America/New_York", "30 2 * * *", time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC),
			[]string{"03-08 03:00 EDT", "03-09 02:30 EDT"}},
		// Fall back: 01:30 happens twice on 11-01; it runs once.
		{"America/New_York", "30 1 * * *", time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC),
			[]string{"11-01 01:30 EDT", "11-02 01:30 EST"}},
		// A wildcard hour keeps running through both repeated hours.
		{"America/New_York", "0 * * * *", time.Date(2026, 11, 1, 4, 30, 0, 0, time.UTC),
			[]string{"11-01 01:00 EDT", "11-01 01:00 EST", "11-01 02:00 EST"}},
		{"Europe/Berlin", "15 2 * * *", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
			[]string{"03-29 03:00 CEST", "03-30 02:15 CEST"}},
		{"Europe/Berlin", "15 2 * * *", time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC),
			[]string{"10-25 02:15 CEST", "10-26 02:15 CET"}},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		s, err := Parse(tc.spec, loc)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range s.NextN(tc.from, len(tc.want)) {
			got = append(got, n.In(loc).Format("01-02 15:04 MST"))
		}
		if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
			t.Errorf("%s %q from %v: got %v, want %v", tc.zone, tc.spec, tc.from, got, tc.want)
		}
	}
}
