package main

import (
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/report"
)

// TestTZForms runs `tend -- true`, `tend check` and `tend start` with every
// form of TZ the C library accepts: each must work, and cron must read the
// zone as the app's programs do (a 03:00 job is due at 03:00 there).
func TestTZForms(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo up; sleep 30\n",
		"app.json": `{"cron": [{"command": "true", "schedule": "0 3 * * *"}]}`,
	})
	for _, tc := range []struct {
		tz, like string // like: a zone name with the same rules
		readable bool
	}{
		{":/etc/localtime", "Local", true},
		{"/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo", true},
		{":Europe/Berlin", "Europe/Berlin", true},
		{"JST-9", "Asia/Tokyo", true},
		{"UTC0", "UTC", true},
		{"EST5EDT,M3.2.0,M11.1.0", "America/New_York", true},
		{"Not a zone!", "UTC", false},
	} {
		t.Run(tc.tz, func(t *testing.T) {
			var like *time.Location
			if tc.like == "Local" {
				loc, err := loadFileLocation("/etc/localtime")
				if err != nil {
					t.Skip(err)
				}
				like = loc
			} else if l, err := time.LoadLocation(tc.like); err == nil {
				like = l
			} else {
				t.Skip(err)
			}
			env := []string{"TZ=" + tc.tz}
			if _, stderr, code := runTend(t, dir, env, "--", "true"); code != 0 {
				t.Fatalf("tend -- true: exit %d\n%s", code, stderr)
			}
			stdout, stderr, code := runTend(t, dir, env, "check", "--json")
			if code != 0 {
				t.Fatalf("tend check: exit %d\n%s%s", code, stdout, stderr)
			}
			var r report.Check
			if err := json.Unmarshal([]byte(stdout), &r); err != nil || len(r.Cron) != 1 || len(r.Cron[0].NextRuns) == 0 {
				t.Fatalf("check --json: %v\n%s", err, stdout)
			}
			for _, s := range r.Cron[0].NextRuns {
				next, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatal(err)
				}
				_, off := next.Zone()
				_, want := next.In(like).Zone()
				if next.In(like).Hour() != 3 || off != want {
					t.Errorf("next run %s is not 03:00 in %s", s, tc.like)
				}
			}
			warned := strings.Contains(strings.Join(r.Warnings, "\n"), "TZ: ")
			if warned == tc.readable {
				t.Errorf("warning about TZ: %v, want %v: %q", warned, !tc.readable, r.Warnings)
			}
			p := startTend(t, dir, env, "start")
			p.waitOutput("| up")
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("tend start: exit %d\n%s", code, p.stderr)
			}
			if !tc.readable {
				if !strings.Contains(p.stderr.String(), "warning: TZ: ") || !strings.Contains(p.stderr.String(), "cron schedules use UTC") {
					t.Errorf("no TZ warning on start:\n%s", p.stderr)
				}
			}
			if out := p.stdout.String() + p.stderr.String() + strings.Join(r.Warnings, ""); strings.Contains(out, tc.tz) {
				t.Errorf("TZ's value is printed:\n%s", out)
			}
		})
	}
}

func loadFileLocation(path string) (*time.Location, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return time.LoadLocationFromTZData(path, data)
}

// TestTZTimestamps: tend's own timestamps use TZ as the C library reads it
// (Go alone falls back to UTC for a POSIX rule).
func TestTZTimestamps(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo up; exec sleep 30\n"})
	for tz, offset := range map[string]string{"JST-9": "+09:00", "<+0330>-3:30": "+03:30"} {
		p := startTend(t, dir, []string{"TZ=" + tz}, "start", "--log-format", "json")
		p.waitOutput(`"line":"up"`)
		p.signal(syscall.SIGTERM)
		p.wait()
		var rec struct{ Time string }
		first, _, _ := strings.Cut(p.stdout.String(), "\n")
		if err := json.Unmarshal([]byte(first), &rec); err != nil || !strings.HasSuffix(rec.Time, offset) {
			t.Errorf("TZ=%s: time %q (%v), want offset %s", tz, rec.Time, err, offset)
		}
	}
}
