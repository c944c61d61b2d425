package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
