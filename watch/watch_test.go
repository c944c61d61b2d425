package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"**/*.go", "main.go", true},
		{"**/*.go", "a/b/c.go", true},
		{"src/**/*.go", "src/x.go", true},
		{"src/**/*.go", "lib/x.go", false},
		{"*.go", "a/x.go", false},
		{"config/*.yml", "config/app.yml", true},
		{"**", "anything/at/all", true},
	} {
		if got := Match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}

func next(t *testing.T, w *Watcher) Change {
	t.Helper()
	select {
	case c := <-w.Changes():
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
		return Change{}
	}
}

func TestWatcherFollowsEditorSaves(t *testing.T) {
	dir := t.TempDir()
	procfile := filepath.Join(dir, "Procfile")
	os.WriteFile(procfile, []byte("web: a\n"), 0o644)
	w, err := New(Options{Files: []string{procfile}, Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Save by rename, as editors do; then a burst of writes; then delete
	// and recreate: each is one change, and the watch survives them all.
	os.WriteFile(procfile+".new", []byte("web: b\n"), 0o644)
	os.Rename(procfile+".new", procfile)
	if c := next(t, w); !c.Config {
		t.Errorf("rename: %+v", c)
	}
	for i := range 20 {
		os.WriteFile(procfile, []byte{byte('a' + i)}, 0o644)
	}
	if c := next(t, w); !c.Config {
		t.Errorf("writes: %+v", c)
	}
	select {
	case c := <-w.Changes():
		t.Errorf("a burst gave more than one change: %+v", c)
	case <-time.After(3 * Debounce):
	}
	os.Remove(procfile)
	next(t, w)
	os.WriteFile(procfile, []byte("web: c\n"), 0o644)
	if c := next(t, w); !c.Config {
		t.Errorf("recreate: %+v", c)
	}
	// Files beside it and editor swap files are not reported.
	os.WriteFile(filepath.Join(dir, ".Procfile.swp"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o644)
	select {
	case c := <-w.Changes():
		t.Errorf("unrelated file reported: %+v", c)
	case <-time.After(3 * Debounce):
	}
}

// Files tend writes itself (the history file and the temporary file it is
// compacted through, the lock dir) never match a glob: they would restart
// the app in a loop.
func TestWatcherIgnoresTendsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "history.jsonl")
	locks := filepath.Join(dir, "locks")
	os.Mkdir(locks, 0o755)
	w, err := New(Options{Root: dir, Globs: []string{"**/*"}, Ignore: []string{hist, locks}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.WriteFile(hist, []byte("{}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".history.jsonl.42.tmp"), []byte("{}\n"), 0o644)
	os.WriteFile(filepath.Join(locks, "job.lock"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "app.go"), []byte("package app\n"), 0o644)
	c := next(t, w)
	if len(c.Matched) != 1 || c.Matched[0] != "app.go" {
		t.Errorf("matched %q, want only app.go", c.Matched)
	}
}
