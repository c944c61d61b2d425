package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDurationBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		seconds bool
		want    time.Duration
		ok      bool
	}{
		{"30", true, 30 * time.Second, true},
		{"2.5", true, 2500 * time.Millisecond, true},
		{"0", true, 0, true},
		{"1m30s", true, 90 * time.Second, true},
		{"86400", true, 24 * time.Hour, true},
		{"24h", false, 24 * time.Hour, true},
		{"86401", true, 0, false},
		{"9999999999", true, 0, false},
		{"1e12", true, 0, false},
		{"inf", true, 0, false},
		{"+Inf", true, 0, false},
		{"NaN", true, 0, false},
		{"-1", true, 0, false},
		{"-1s", true, 0, false},
		{"25h", true, 0, false},
		{"9999999999h", true, 0, false},
		{"30", false, 0, false}, // --cron-timeout wants a unit
	} {
		got, err := parseDuration(tc.in, tc.seconds)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseDuration(%q, %v) = %v, %v; want %v, ok %v", tc.in, tc.seconds, got, err, tc.want, tc.ok)
		}
	}
}

// TestDurationFlagsRejectOverflow: values that used to overflow to a
// negative grace (processes SIGKILLed at once) are usage errors before
// anything runs, for -t in start and exec mode and for --cron-timeout.
func TestDurationFlagsRejectOverflow(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo ran >> ran.txt; sleep 30\n",
		"app.json": `{"cron": [{"command": "echo ran >> ran.txt", "schedule": "@every 1s"}]}`,
	})
	for _, args := range [][]string{
		{"start", "-t", "9999999999"},
		{"start", "-t", "inf"},
		{"start", "-t", "1e12"},
		{"start", "-t", "25h"},
		{"-t", "1e12", "--", "sh", "-c", "echo ran >> ran.txt"},
		{"start", "--cron-timeout", "9999999999h"},
		{"start", "--cron-timeout", "48h"},
		{"start", "--cron-timeout", "0s"},
	} {
		_, stderr, code := runTend(t, dir, nil, args...)
		flag := strings.TrimLeft(args[len(args)-2], "-")
		if args[0] == "-t" {
			flag = "t"
		}
		if flag == "t" {
			flag = "timeout"
		}
		if code != 2 || !strings.Contains(stderr, "invalid --"+flag) {
			t.Errorf("tend %s: exit %d, want 2 and an invalid --%s error:\n%s", strings.Join(args, " "), code, flag, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "ran.txt")); err == nil {
			t.Fatalf("tend %s ran something", strings.Join(args, " "))
		}
	}
}
