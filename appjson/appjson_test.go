package appjson

import (
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// now is the fixed "current time" of the fixtures.
var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func render(f *File, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error:\n%s\n", err)
		return b.String()
	}
	for _, j := range f.Jobs {
		fmt.Fprintf(&b, "%s line %d cron[%d] policy=%s maintenance=%v zone=%s schedule=%q next=%s command=%q\n",
			j.ID, j.Line, j.Index, j.Policy, j.Maintenance, j.Schedule.Location, j.Schedule.Spec,
			j.Schedule.Next(now).UTC().Format(time.RFC3339), j.Command)
	}
	names := make([]string, 0, len(f.Formation))
	for n := range f.Formation {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "formation %s=%d\n", n, f.Formation[n])
	}
	procs := make([]string, 0, len(f.Healthchecks))
	for p := range f.Healthchecks {
		procs = append(procs, p)
	}
	sort.Strings(procs)
	for _, p := range procs {
		for _, c := range f.Healthchecks[p] {
			fmt.Fprintf(&b, "healthcheck %s[%d] line %d type=%s kind=%s name=%q path=%q scheme=%q content=%q headers=%v command=%q uptime=%d port=%d attempts=%d wait=%d timeout=%d initialDelay=%d warn=%v\n",
				c.Process, c.Index, c.Line, c.Type, c.Kind(), c.Name, c.Path, c.Scheme, c.Content, c.Headers, c.Command,
				c.Uptime, c.Port, c.Attempts, c.Wait, c.Timeout, c.InitialDelay, c.Warn)
		}
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, w := range f.DokkuWarnings {
		fmt.Fprintf(&b, "dokku warning: %s\n", w)
	}
	return b.String()
}

func TestParseFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/appjson/*")
	if len(dirs) == 0 {
		t.Fatal("no fixtures")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "app.json"))
			if err != nil {
				t.Fatal(err)
			}
			got := render(Parse(data, "app.json", Options{}))
			golden := filepath.Join(dir, "want.txt")
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, _ := os.ReadFile(golden)
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestDokkuID(t *testing.T) {
	// The test vector of github.com/multiformats/go-base36, Dokku's encoder.
	if got := base36Lc([]byte("Decentralize everything!!!")); got != "m552ng4dabi4neu1oo8l4i5mndwmpc3mkukwtxy9" {
		t.Errorf("base36 vector: %q", got)
	}
	if got := base36Lc([]byte("\x00\x00ab")); got != "00"+base36Lc([]byte("ab")) {
		t.Errorf("leading zero bytes: %q", got)
	}
	if got, want := DokkuID("app", "bin/x", "@daily"), base36Lc([]byte("app===bin/x===@daily")); got != want {
		t.Errorf("DokkuID = %q, want %q", got, want)
	}
}

// TestDokkuIDRoundTrip checks that the ID is the bytes of
// "app===command===schedule" read as one big-endian number in base 36.
func TestDokkuIDRoundTrip(t *testing.T) {
	id := DokkuID("node-js-app", "npm run send-email", "@daily")
	n, ok := new(big.Int).SetString(id, 36)
	if !ok || string(n.Bytes()) != "node-js-app===npm run send-email===@daily" || strings.ToLower(id) != id {
		t.Errorf("DokkuID = %q does not decode back", id)
	}
}

func TestScheduleNeverPanics(t *testing.T) {
	for _, spec := range []string{"TZ=", "CRON_TZ=", "TZ=UTC", "CRON_TZ= ", "@every", "* * * *", "", "    "} {
		if _, err := ParseSchedule(spec, nil); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", spec)
		}
	}
}

func TestScheduleZones(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s, err := ParseSchedule("0 9 * * *", berlin)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(now); !got.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("09:00 Berlin after %v = %v", now, got.UTC())
	}
	s, _ = ParseSchedule("CRON_TZ=America/New_York 0 9 * * *", berlin)
	if got := s.Next(now); !got.Equal(time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("09:00 New York after %v = %v", now, got.UTC())
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/appjson/*/app.json")
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Add([]byte(`{"cron": [{"command": "a", "schedule": "@every 0s"}, {"command": "b\u0000", "schedule": "TZ=UTC @every 1500ms"}]}`))
	f.Add([]byte(`{"x": [[{"s": "[\"[{"}, /* [{ */ [] // [[
	]], "cron": [[[]]]}`))
	f.Add([]byte("{\"x\": " + strings.Repeat("[", MaxDepth+1) + "}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "app.json", Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "app.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, j := range file.Jobs {
			if strings.TrimSpace(j.Command) == "" || j.ID == "" || ids[j.ID] || j.Schedule == nil ||
				strings.ContainsRune(j.Command, 0) || len(j.Command) > MaxCommandLength {
				t.Fatalf("bad job %+v", j)
			}
			if _, every := j.Schedule.Every(); every && j.Schedule.written < time.Second {
				t.Fatalf("@every under 1s accepted: %q", j.Schedule.Spec)
			}
			ids[j.ID] = true
		}
		for _, checks := range file.Healthchecks {
			for _, c := range checks {
				kinds := 0
				for _, set := range []bool{len(c.Command) > 0, c.Path != "", c.Uptime > 0, c.Listening} {
					if set {
						kinds++
					}
				}
				if !slices.Contains(HealthcheckTypes, c.Type) || c.Attempts < 1 || c.Wait < 1 || c.Timeout < 1 ||
					c.InitialDelay < 0 || c.Uptime < 0 || c.Port < 0 || c.Port > 65535 || kinds > 1 ||
					c.Path != "" && c.Path[0] != '/' || len(c.Command) > 0 && c.Command[0] == "" {
					t.Fatalf("bad check %+v", c)
				}
			}
		}
	})
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"* * * * *", "@daily", "@every 1m", "@every 0s", "@every -1s", "TZ=UTC @every 999ms", "CRON_TZ=Europe/Berlin 0 2 * * *", "0 0 31 2 *", "TZ=", "*/7 1-5 ? 1,6 MON-FRI",
		"CRON_TZ=America/New_York 30 2 * * *", "TZ=Europe/Berlin */30 2 * * *", "0 0 29 2 *", "TZ=UTC", "@reboot", " @reboot", "TZ=UTC @reboot"} {
		f.Add(s, now.Unix())
		f.Add(s, time.Date(2026, 3, 8, 6, 59, 59, 0, time.UTC).Unix())
		f.Add(s, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC).Unix())
	}
	f.Fuzz(func(t *testing.T, spec string, unix int64) {
		s, err := ParseSchedule(spec, nil)
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
		s, err := ParseSchedule(tc.spec, loc)
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
