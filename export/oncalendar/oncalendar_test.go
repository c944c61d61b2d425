package oncalendar

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/schedule"

	"github.com/tend-run/tend/internal/testkit"
)

// schedules are real ones (Dokku and Heroku docs, GitLab's and Discourse's
// crontabs, the issues behind tend's day rule) plus the edges of the
// conversion: lists, ranges, steps, names, "?", both day rules.
var schedules = []string{
	"* * * * *", "*/5 * * * *", "*/7 * * * *", "5-59/15 * * * *", "0 * * * *",
	"30 */2 * * *", "0 9-17 * * 1-5", "0 9 * * MON-FRI", "15 4 * * SUN",
	"0 0 * * 0", "0 0 * * 6,0", "0 0 * * 5-6", "0 12 * * sat,sun",
	"0 0 1 * *", "0 0 1 JAN *", "0 3 1 */3 *", "0 0 29 2 *", "0 0 31 * *",
	"0 0 1,15 * 1", "0 0 */2 * 1", "0 0 13 * 5", "0 0 13 * */2", "0 0 */1 * 5",
	"0 0 13 * 5,*", "0 0 ? * 5", "0 0 1-7 * 1", "0 22 * * 1-5", "23 0-20/2 * * *",
	"1,15,30-35/2 * * * *", "0 0,12 1 */2 *", "59 23 28-31 * *",
	"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually",
	"CRON_TZ=Asia/Tokyo 0 9 * * *", "TZ=America/New_York 30 6 * * *",
	"CRON_TZ=Europe/Berlin @daily", "TZ= 0 0 * * *",
	// Not Australia/Lord_Howe (half-hour DST): robfig/cron, and so tend,
	// skips 12:00 on 4 April 2027, the day its clocks go back 30 minutes.
}

// corpusSchedules are the schedules of the app.json test corpus.
func corpusSchedules(t *testing.T) []string {
	files, _ := filepath.Glob("../../testdata/appjson/*/app.json")
	var out []string
	for _, f := range files {
		parsed, err := appjson.Load(f, appjson.Options{})
		if err != nil {
			continue // the corpus's broken files
		}
		for _, j := range parsed.Jobs {
			out = append(out, j.Schedule.Spec)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d schedules in the corpus", len(out))
	}
	return out
}

func needSystemdAnalyze(t *testing.T) {
	t.Helper()
	testkit.NeedProgram(t, "systemd-analyze", "Debian: apt-get install systemd")
}

// calendar asks systemd-analyze, in one call, for the next n elapse times
// after base of each of exprs (one call for all: each call costs tens of
// milliseconds, and the corpus holds hundreds of expressions).
func calendar(t *testing.T, exprs []string, base time.Time, n int) map[string][]time.Time {
	t.Helper()
	var unique []string
	for _, e := range exprs {
		if !slices.Contains(unique, e) {
			unique = append(unique, e)
		}
	}
	args := append([]string{"calendar", "--base-time=@" + strconv.FormatInt(base.Unix(), 10), "--iterations=" + strconv.Itoa(n)}, unique...)
	cmd := exec.Command("systemd-analyze", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze calendar %q: %v\n%s", unique, err, out)
	}
	// One block per expression, in order, each starting with its
	// "Normalized form:" line (after an "Original form:" one when that
	// differs).
	blocks := make([][]time.Time, 0, len(unique))
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "Normalized form:") {
			blocks = append(blocks, nil)
			continue
		}
		_, val, ok := strings.Cut(line, ": ")
		if !ok || !(strings.HasPrefix(line, "Next elapse:") || strings.HasPrefix(line, "Iter. #")) || val == "never" {
			continue
		}
		if len(blocks) == 0 {
			t.Fatalf("systemd-analyze calendar: %q before any expression\n%s", line, out)
		}
		tm, err := time.Parse("Mon 2006-01-02 15:04:05 MST", val)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], tm.UTC())
	}
	if len(blocks) != len(unique) {
		t.Fatalf("systemd-analyze calendar: %d blocks for %d expressions\n%s", len(blocks), len(unique), out)
	}
	byExpr := make(map[string][]time.Time, len(unique))
	for i, e := range unique {
		byExpr[e] = blocks[i]
	}
	return byExpr
}

// merged is the next n elapse times of a timer whose OnCalendar= are
// exprs: those of each expression (from calendar), merged.
func merged(byExpr map[string][]time.Time, exprs []string, n int) []time.Time {
	var all []time.Time
	for _, e := range exprs {
		all = append(all, byExpr[e]...)
	}
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	all = slices.Compact(all)
	return all[:min(n, len(all))]
}

// elapses asks systemd-analyze for the next n elapse times of each
// expression after base, merged as a timer with several OnCalendar= does.
func elapses(t *testing.T, exprs []string, base time.Time, n int) []time.Time {
	t.Helper()
	return merged(calendar(t, exprs, base, n), exprs, n)
}

func before(ts []time.Time, limit time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		if t.Before(limit) {
			out = append(out, t)
		}
	}
	return out
}

// firstDiff is the first index where a and b differ, or -1.
func firstDiff(a, b []time.Time) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || !a[i].Equal(b[i]) {
			return i
		}
	}
	return -1
}

func at(ts []time.Time, i int) any {
	if i < len(ts) {
		return ts[i]
	}
	return "none"
}

func utc(ts []time.Time) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}

// Every conversion fires when tend would: systemd's next elapse times
// equal tend's next runs, from several base times, in the app's zone and
// in CRON_TZ zones.
func TestOnCalendarMatchesSystemd(t *testing.T) {
	needSystemdAnalyze(t)
	t.Parallel()
	bases := []time.Time{
		time.Date(2026, 12, 2, 14, 7, 30, 0, time.UTC),
		time.Date(2027, 2, 27, 23, 59, 59, 0, time.UTC), // month ends, not a leap year
		time.Date(2028, 2, 27, 12, 0, 0, 0, time.UTC),   // leap year
		time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),     // northern summer: no clock change near
	}
	const n = 40
	all := append(slices.Clone(schedules), corpusSchedules(t)...)
	type conversion struct {
		spec, zone string
		s          *schedule.Schedule
		exprs      []string
	}
	var convs []conversion
	var exprs []string
	for _, zone := range []string{"UTC", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range all {
			s, err := schedule.Parse(spec, loc)
			if err != nil {
				t.Fatalf("%q: %v", spec, err)
			}
			if s.AtStart() {
				continue // @reboot: no calendar (the timer fires as it starts)
			}
			c, err := Convert(s)
			if err != nil {
				t.Fatalf("%q: %v", spec, err)
			}
			if c.Every != 0 {
				if d, _ := s.Every(); d != c.Every {
					t.Errorf("%q: every %v, want %v", spec, c.Every, d)
				}
				continue
			}
			convs = append(convs, conversion{spec, zone, s, c.OnCalendar})
			exprs = append(exprs, c.OnCalendar...)
		}
	}
	// One systemd-analyze call per base, all expressions at once; the bases
	// side by side (for an expression in a zone other than UTC systemd forks
	// once per elapse time it computes: seconds of CPU each).
	for _, base := range bases {
		t.Run(base.Format("2006-01-02T15:04:05"), func(t *testing.T) {
			t.Parallel()
			byExpr := calendar(t, exprs, base, n)
			// robfig looks 5 years ahead: 29 February stops after 2096.
			until := base.AddDate(50, 0, 0)
			for _, c := range convs {
				want := before(utc(c.s.NextN(base, n)), until)
				got := before(merged(byExpr, c.exprs, n), until)
				if i := firstDiff(got, want); i >= 0 {
					t.Errorf("%q (default zone %s) as %q from %v: run %d of %d/%d: systemd %v, tend %v",
						c.spec, c.zone, c.exprs, base, i+1, len(got), len(want), at(got, i), at(want, i))
				}
			}
		})
	}
}

// Around clock changes systemd and tend differ, as the timer's comment
// says; this pins what each does, so the comment stays true.
func TestOnCalendarDST(t *testing.T) {
	needSystemdAnalyze(t)
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	for _, tc := range []struct {
		spec, base  string
		systemd     []string
		tend        []string
		noteMatters bool
	}{
		// 02:30 does not exist on 29 March 2026: tend runs at 03:00,
		// systemd skips the day.
		{"30 2 * * *", "2026-03-28T12:00:00Z",
			[]string{"2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"},
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}, true},
		// 02:30 happens twice on 25 October: both run the first once.
		{"30 2 * * *", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}, false},
		// Hourly through the repeated hour: tend runs at both 02:30s.
		{"30 * * * *", "2026-10-24T23:45:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z"},
			[]string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"}, true},
	} {
		s, err := schedule.Parse(tc.spec, berlin)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Convert(s)
		if err != nil {
			t.Fatal(err)
		}
		base := at(tc.base)
		var wantSystemd, wantTend []time.Time
		for i := range tc.systemd {
			wantSystemd = append(wantSystemd, at(tc.systemd[i]))
			wantTend = append(wantTend, at(tc.tend[i]))
		}
		if got := elapses(t, c.OnCalendar, base, 2); !slices.Equal(got, wantSystemd) {
			t.Errorf("%q from %s: systemd %v, want %v", tc.spec, tc.base, got, wantSystemd)
		}
		if got := utc(s.NextN(base, 2)); !slices.Equal(got, wantTend) {
			t.Errorf("%q from %s: tend %v, want %v", tc.spec, tc.base, got, wantTend)
		}
		if len(c.Notes) == 0 || !strings.Contains(strings.Join(c.Notes, " "), "changes its clocks") {
			t.Errorf("%q in Berlin: no note on clock changes: %q", tc.spec, c.Notes)
		}
	}
}

func TestOnCalendarForms(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string][]string{
		"*/15 * * * *":                 {"*-*-* *:00,15,30,45:00 UTC"},
		"0 9 * * 1-5":                  {"Mon..Fri *-*-* 09:00:00 UTC"},
		"0 0 1,15 * 1":                 {"*-*-01,15 00:00:00 UTC", "Mon *-*-* 00:00:00 UTC"},
		"0 0 * * 0":                    {"Sun *-*-* 00:00:00 UTC"},
		"0 0 * * 6,0":                  {"Sat,Sun *-*-* 00:00:00 UTC"},
		"1,15,30-35/2 * * * *":         {"*-*-* *:01,15,30,32,34:00 UTC"},
		"@monthly":                     {"*-*-01 00:00:00 UTC"},
		"CRON_TZ=Asia/Tokyo 0 9 * * *": {"*-*-* 09:00:00 Asia/Tokyo"},
	} {
		s, err := schedule.Parse(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Convert(s)
		if err != nil || !slices.Equal(c.OnCalendar, want) {
			t.Errorf("%q: %q, %v; want %q", spec, c.OnCalendar, err, want)
		}
	}
	s, _ := schedule.Parse("@every 90s", nil)
	if c, _ := Convert(s); c.Every != 90*time.Second || c.OnCalendar != nil {
		t.Errorf("@every 90s: %+v", c)
	}
}
