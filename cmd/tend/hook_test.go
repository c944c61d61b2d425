package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The review's repro (§0.3): the failure that ends tend fires the hook;
// tend waits for it, copies its stdout (no SIGPIPE) and keeps the failed
// process's exit code.
func TestOnFailureHookWhenTheFailureEndsTend(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: exit 3\n"})
	stdout, stderr, code := runTend(t, dir, []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")},
		"start", "--on-failure", "sleep 0.5; echo to-stdout; echo hooked > out")
	if code != 3 {
		t.Errorf("exit code %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out")); string(b) != "hooked\n" {
		t.Errorf("out = %q (%v) when tend exited\nstdout:\n%s\nstderr:\n%s", b, err, stdout, stderr)
	}
	if !strings.Contains(stdout, "| to-stdout") {
		t.Errorf("the hook's output is missing:\n%s", stdout)
	}
}
