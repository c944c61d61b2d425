package zone

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// offsetAt is the UTC offset, in hours, of loc at the RFC 3339 instant s.
func offsetAt(t *testing.T, loc *time.Location, s string) float64 {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	_, off := at.In(loc).Zone()
	return float64(off) / 3600
}

func TestRuleStringsAtKnownInstants(t *testing.T) {
	for _, tc := range []struct {
		tz, at string
		want   float64
	}{
		// US rules of 2007: second Sunday of March 02:00 EST (07:00Z),
		// first Sunday of November 02:00 EDT (06:00Z).
		{"EST5EDT,M3.2.0,M11.1.0", "2026-03-08T06:59:59Z", -5},
		{"EST5EDT,M3.2.0,M11.1.0", "2026-03-08T07:00:00Z", -4},
		{"EST5EDT,M3.2.0,M11.1.0", "2026-11-01T05:59:59Z", -4},
		{"EST5EDT,M3.2.0,M11.1.0", "2026-11-01T06:00:00Z", -5},
		{"EST5EDT,M3.2.0,M11.1.0", "2031-03-09T07:00:00Z", -4}, // any year
		// Explicit times and the southern hemisphere (Sydney): DST from the
		// first Sunday of October 02:00 to the first Sunday of April 03:00.
		{"AEST-10AEDT,M10.1.0/2,M4.1.0/3", "2026-04-04T15:59:59Z", 11},
		{"AEST-10AEDT,M10.1.0/2,M4.1.0/3", "2026-04-04T16:00:00Z", 10},
		{"AEST-10AEDT,M10.1.0/2,M4.1.0/3", "2026-10-03T15:59:59Z", 10},
		{"AEST-10AEDT,M10.1.0/2,M4.1.0/3", "2026-10-03T16:00:00Z", 11},
		{"JST-9", "2026-07-01T00:00:00Z", 9},
		{"UTC0", "2026-07-01T00:00:00Z", 0},
		{"<+0330>-3:30", "2026-07-01T00:00:00Z", 3.5},
		{"<-03>3", "2026-07-01T00:00:00Z", -3},
	} {
		loc, err := Load(tc.tz, "")
		if err != nil {
			t.Errorf("Load(%q): %v", tc.tz, err)
			continue
		}
		if got := offsetAt(t, loc, tc.at); got != tc.want {
			t.Errorf("%s at %s: offset %v h, want %v h", tc.tz, tc.at, got, tc.want)
		}
	}
}

// TestRuleMatchesZoneFile compares a rule string hour by hour over two
// years with the system's zone file for the same rules.
func TestRuleMatchesZoneFile(t *testing.T) {
	for rule, name := range map[string]string{
		"EST5EDT,M3.2.0,M11.1.0":                       "America/New_York",
		"AEST-10AEDT,M10.1.0,M4.1.0/3":                 "Australia/Sydney",
		"CET-1CEST,M3.5.0,M10.5.0/3":                   "Europe/Berlin",
		"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45": "Pacific/Chatham",
	} {
		file, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no zoneinfo for %s: %v", name, err)
		}
		loc, err := Load(rule, "")
		if err != nil {
			t.Fatalf("Load(%q): %v", rule, err)
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for at := start; at.Before(start.AddDate(2, 0, 0)); at = at.Add(15 * time.Minute) {
			_, want := at.In(file).Zone()
			_, got := at.In(loc).Zone()
			if got != want {
				t.Fatalf("%s at %s: offset %d s, %s says %d s", rule, at.Format(time.RFC3339), got, name, want)
			}
		}
	}
}

func TestFilesAndNames(t *testing.T) {
	berlin := "/usr/share/zoneinfo/Europe/Berlin"
	if _, err := os.Stat(berlin); err != nil {
		t.Skip("no zoneinfo files")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "localtime")
	if err := os.Symlink(berlin, link); err != nil {
		t.Fatal(err)
	}
	tzdir := filepath.Join(dir, "zi")
	os.MkdirAll(filepath.Join(tzdir, "My"), 0o755)
	data, _ := os.ReadFile("/usr/share/zoneinfo/Asia/Tokyo")
	os.WriteFile(filepath.Join(tzdir, "My", "Zone"), data, 0o644)
	for _, tc := range []struct {
		tz, tzdir string
		want      float64 // on 2026-07-01, Berlin is +2
	}{
		{":" + berlin, "", 2},
		{berlin, "", 2},
		{":" + link, "", 2}, // like TZ=:/etc/localtime
		{"Europe/Berlin", "", 2},
		{":Europe/Berlin", "", 2},
		{"My/Zone", tzdir, 9}, // $TZDIR, as glibc reads it
		{"", "", 0},
		{":", "", 0},
	} {
		loc, err := Load(tc.tz, tc.tzdir)
		if err != nil {
			t.Errorf("Load(%q): %v", tc.tz, err)
			continue
		}
		if got := offsetAt(t, loc, "2026-07-01T12:00:00Z"); got != tc.want {
			t.Errorf("%q: offset %v h, want %v h", tc.tz, got, tc.want)
		}
	}
}

func TestUnreadableValues(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	notTZif := filepath.Join(dir, "notes")
	os.WriteFile(notTZif, []byte("hello"), 0o644)
	for _, tz := range []string{
		"hunter!", "Local", "No/Such_Zone", ":" + fifo, fifo, notTZif, "/dev/zero",
		"EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0", "5", "../../etc/passwd",
	} {
		done := make(chan error, 1)
		go func() { _, err := Load(tz, ""); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("Load(%q) = %v, want ErrUnknown", tz, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("Load(%q) hangs", tz)
		}
	}
}

// TestAgreesWithGlibc asks the C library itself (date(1) under TZ) for the
// offset at instants around each change and compares.
func TestAgreesWithGlibc(t *testing.T) {
	if _, err := exec.LookPath("date"); err != nil {
		t.Skip("no date(1)")
	}
	for _, tz := range []string{
		"EST5EDT,M3.2.0,M11.1.0", "AEST-10AEDT,M10.1.0,M4.1.0/3", "JST-9", "UTC0",
		"<+0330>-3:30", ":/etc/localtime", ":Europe/Berlin", "/usr/share/zoneinfo/America/Sao_Paulo",
		"NZST-12NZDT,M9.5.0,M4.1.0/3", "IST-2IDT,M3.4.4/26,M10.5.0",
	} {
		loc, err := Load(tz, "")
		if err != nil {
			t.Errorf("Load(%q): %v", tz, err)
			continue
		}
		for _, at := range []string{"2026-03-08T06:59:59Z", "2026-03-08T07:00:00Z", "2026-04-04T16:00:00Z",
			"2026-09-26T14:00:00Z", "2026-10-25T00:59:59Z", "2026-11-01T06:00:00Z", "2027-03-25T23:59:59Z", "2027-03-26T00:00:00Z"} {
			inst, _ := time.Parse(time.RFC3339, at)
			cmd := exec.Command("date", "-d", fmt.Sprintf("@%d", inst.Unix()), "+%z")
			cmd.Env = []string{"TZ=" + tz}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("date: %v", err)
			}
			if got, want := inst.In(loc).Format("-0700"), strings.TrimSpace(string(out)); got != want {
				t.Errorf("TZ=%s at %s: offset %s, glibc says %s", tz, at, got, want)
			}
		}
	}
}
