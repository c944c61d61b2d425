package watch

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

// kubeletVolume lays out a ConfigMap volume exactly as the kubelet does
// (pkg/volume/util/atomic_writer.go): the data in a timestamped directory,
// ..data pointing at it, and each key a symlink through ..data.
func kubeletVolume(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	kubeletUpdate(t, dir, "..2026_12_01_10_00_00.123", files)
	for name := range files {
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// kubeletUpdate writes a new timestamped directory and swaps ..data to it
// the kubelet's way: a ..data_tmp symlink renamed over ..data (mv -T), then
// the old directory removed.
func kubeletUpdate(t *testing.T, dir, stamp string, files map[string]string) {
	t.Helper()
	if err := os.Mkdir(filepath.Join(dir, stamp), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, stamp, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := os.Readlink(filepath.Join(dir, "..data"))
	if err := os.Symlink(stamp, filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
			t.Fatal(err)
		}
	}
}

func noChange(t *testing.T, w *Watcher, what string) {
	t.Helper()
	select {
	case c := <-w.Changes():
		t.Errorf("%s: unexpected change %+v", what, c)
	case <-time.After(3 * Debounce):
	}
}

func TestWatcherFollowsKubeletSwap(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config")
	os.Mkdir(cfg, 0o755)
	kubeletVolume(t, cfg, map[string]string{"app.json": "{}", "app.env": "A=1\n"})
	w, err := New(Options{Files: []string{filepath.Join(cfg, "app.env")}, Root: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	kubeletUpdate(t, cfg, "..2026_12_01_10_05_00.456", map[string]string{"app.json": "{}", "app.env": "A=2\n"})
	if c := next(t, w); !c.Config {
		t.Errorf("first swap: %+v", c)
	}
	// The watch follows the new directory: the next swap is seen too.
	kubeletUpdate(t, cfg, "..2026_12_01_10_10_00.789", map[string]string{"app.json": "{}", "app.env": "A=3\n"})
	if c := next(t, w); !c.Config {
		t.Errorf("second swap: %+v", c)
	}
	noChange(t, w, "after the swaps")
	data, err := os.ReadFile(filepath.Join(cfg, "app.env"))
	if err != nil || string(data) != "A=3\n" {
		t.Fatalf("layout: %q %v", data, err)
	}
}

func TestWatcherFollowsSymlinkTargets(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	one, two := filepath.Join(elsewhere, "one.env"), filepath.Join(elsewhere, "two.env")
	os.WriteFile(one, []byte("A=1\n"), 0o644)
	os.WriteFile(two, []byte("A=2\n"), 0o644)
	env := filepath.Join(root, ".env")
	if err := os.Symlink(one, env); err != nil {
		t.Fatal(err)
	}
	w, err := New(Options{Files: []string{env}, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The target edited in place, in a directory of its own.
	os.WriteFile(one, []byte("A=10\n"), 0o644)
	if c := next(t, w); !c.Config {
		t.Errorf("target written: %+v", c)
	}
	// ln -sf to another file.
	if out, err := exec.Command("ln", "-sf", two, env).CombinedOutput(); err != nil {
		t.Fatalf("ln -sf: %v %s", err, out)
	}
	if c := next(t, w); !c.Config {
		t.Errorf("ln -sf: %+v", c)
	}
	// Now the new target is what counts, not the old one.
	os.WriteFile(two, []byte("A=20\n"), 0o644)
	if c := next(t, w); !c.Config {
		t.Errorf("new target written: %+v", c)
	}
	os.WriteFile(one, []byte("A=11\n"), 0o644)
	noChange(t, w, "old target written")
}

func TestWatcherCloseClosesChanges(t *testing.T) {
	w, err := New(Options{Files: []string{filepath.Join(t.TempDir(), "Procfile")}})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	select {
	case _, ok := <-w.Changes():
		if ok {
			t.Error("a change after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Changes not closed by Close")
	}
}

// TestErrorsGoToTheOwner: an error fsnotify reports while the watcher runs
// reaches OnError (with the inotify limit explained), not tend's stderr;
// Close then ends a loop ranging over Changes.
func TestErrorsGoToTheOwner(t *testing.T) {
	dir := t.TempDir()
	errs := make(chan error, 1)
	w, err := New(Options{Files: []string{filepath.Join(dir, "Procfile")}, Root: dir, OnError: func(err error) { errs <- err }})
	if err != nil {
		t.Fatal(err)
	}
	ranged := make(chan struct{})
	go func() {
		for range w.Changes() {
		}
		close(ranged)
	}()
	// fsnotify's Errors is a plain channel: hand the loop what inotify
	// says when the watch limit is reached.
	w.w.Errors <- fmt.Errorf("add %s: %w", dir, syscall.ENOSPC)
	select {
	case err := <-errs:
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "max_user_watches") {
			t.Errorf("OnError got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnError was not called")
	}
	w.Close()
	select {
	case <-ranged:
	case <-time.After(5 * time.Second):
		t.Fatal("ranging over Changes did not end after Close")
	}
}
