package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReleaseSecondInstanceRunsNothing: a second `tend start --release`
// for the same app refuses before it runs the release command again, both
// while the first one's release runs and once its processes run.
func TestReleaseSecondInstanceRunsNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, release, ready string
	}{
		{"during the release", "echo ran >> released.txt; echo migrating; exec sleep 30", "migrating"},
		{"after the release", "echo ran >> released.txt", "web up"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeApp(t, map[string]string{"Procfile": "release: " + tc.release + "\nweb: echo web up; exec sleep 30\n"})
			first := startTend(t, dir, nil, "start", "--release")
			first.waitOutput(tc.ready)
			stdout, stderr, code := runTend(t, dir, nil, "start", "--release")
			if code != 1 || !strings.Contains(stderr, "already running") {
				t.Errorf("second start: exit %d, want 1 and \"already running\"\n%s%s", code, stdout, stderr)
			}
			data, err := os.ReadFile(filepath.Join(dir, "released.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(data), "ran\n"); n != 1 {
				t.Errorf("the release command ran %d times, want 1", n)
			}
			if strings.Contains(stdout, "release.1") {
				t.Errorf("the second tend started the release:\n%s", stdout)
			}
			first.signal(syscall.SIGTERM)
			if code := first.wait(); code != 0 {
				t.Errorf("first tend: exit %d after SIGTERM, want 0\n%s", code, first.stderr)
			}
			if tc.ready == "migrating" && strings.Contains(first.stdout.String(), "web up") {
				t.Errorf("SIGTERM during the release, and the app started anyway:\n%s", first.stdout)
			}
		})
	}
}
