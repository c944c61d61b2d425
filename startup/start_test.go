package startup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-run/tend/app"
)

// Run's errors carry tend's exit status: 1 for an app that does not load
// or has nothing to run, 2 for a flag value it cannot use.
func TestRunExitStatuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: sleep 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := Start{Options: app.Options{Root: dir}, Timeout: "5", MemorySampleEvery: "5s", CrashBackoff: "1s", OnFailureEvery: "10m", LogBuffer: "1MiB",
		Output: OutputSettings{Format: "text"}, Socket: filepath.Join(dir, "tend.sock")}
	for _, tc := range []struct {
		name string
		edit func(*Start)
		code int
		want string
	}{
		{"no Procfile", func(s *Start) { s.Options.Root = t.TempDir() }, 1, "Procfile"},
		{"log buffer", func(s *Start) { s.LogBuffer = "lots" }, 2, "invalid --log-buffer"},
		{"log format", func(s *Start) { s.Output.Format = "xml" }, 2, "invalid --log-format"},
		{"timeout", func(s *Start) { s.Timeout = "forever" }, 2, "invalid --timeout"},
		{"backoff", func(s *Start) { s.CrashBackoff = "0" }, 2, "invalid --crash-backoff"},
		{"formation", func(s *Start) { s.Settings.Formation = "web=x" }, 2, "invalid formation"},
		{"nothing to run", func(s *Start) { s.Settings.Formation = "all=0" }, 1, "nothing to run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			code, err := Run(t.Context(), s)
			if code != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exit %d, %v; want %d, %q", code, err, tc.code, tc.want)
			}
		})
	}
}
