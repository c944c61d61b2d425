// Package watch turns file changes into reload requests for --watch.
//
// fsnotify watches directories, not files: editors save by writing a new
// file and renaming it over the old one, which a watch on the file itself
// would lose. So the directories of the app's files are watched and events
// filtered by name; for --watch-path globs every directory below the
// globs' roots is watched (inotify is not recursive), new directories are
// added as they appear, and bursts of events are debounced into one.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce is how long the watcher waits for a burst of events to end.
const Debounce = 100 * time.Millisecond

// ignoredDirs are never watched below a glob root: a file tend (or a
// package manager, or git) writes there would restart-loop.
var ignoredDirs = []string{".git", "node_modules", "log", "tmp", ".hg", ".svn"}

// Change is one debounced burst of events.
type Change struct {
	// Config says an app file (Procfile, app.json, an env file) changed.
	Config bool
	// Matched lists changed files that match a --watch-path glob.
	Matched []string
}

// Options says what to watch.
type Options struct {
	// Files are the app's files (reloaded when they change).
	Files []string
	// Root is the directory globs are relative to.
	Root string
	// Globs are --watch-path patterns ("**" matches any directories).
	Globs []string
	// Ignore are more paths never to report (the lock dir, a history file).
	Ignore []string
}

// Watcher delivers Changes until Close.
type Watcher struct {
	w       *fsnotify.Watcher
	opts    Options
	files   map[string]bool
	changes chan Change
	done    chan struct{}
	once    sync.Once
}

// New starts watching.
func New(opts Options) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", limitError(err))
	}
	w := &Watcher{w: fw, opts: opts, files: map[string]bool{}, changes: make(chan Change, 1), done: make(chan struct{})}
	dirs := map[string]bool{}
	for _, f := range opts.Files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		w.files[abs] = true
		dirs[filepath.Dir(abs)] = true
	}
	for _, root := range globRoots(opts.Root, opts.Globs) {
		if err := w.addTree(root, dirs); err != nil {
			fw.Close()
			return nil, err
		}
	}
	for d := range dirs {
		if err := fw.Add(d); err != nil {
			fw.Close()
			return nil, fmt.Errorf("watch %s: %w", d, limitError(err))
		}
	}
	go w.loop()
	return w, nil
}

// Changes delivers debounced changes.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Close stops watching.
func (w *Watcher) Close() {
	w.once.Do(func() {
		close(w.done)
		w.w.Close()
	})
}

// limitError explains the inotify limit, which users hit with big trees.
func limitError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
		return fmt.Errorf("%w: the inotify watch limit is reached; raise fs.inotify.max_user_watches (sysctl) or narrow --watch-path", err)
	}
	return err
}

// addTree collects root and every directory below it that is not ignored.
func (w *Watcher) addTree(root string, dirs map[string]bool) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return fmt.Errorf("watch %s: %w", root, err)
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && w.ignored(p) {
			return filepath.SkipDir
		}
		dirs[p] = true
		return nil
	})
}

func (w *Watcher) ignored(p string) bool {
	base := filepath.Base(p)
	for _, d := range ignoredDirs {
		if base == d {
			return true
		}
	}
	for _, ig := range w.opts.Ignore {
		if ig == "" {
			continue
		}
		abs, err := filepath.Abs(ig)
		if err != nil {
			continue
		}
		if p == abs || strings.HasPrefix(p, abs+string(filepath.Separator)) {
			return true
		}
		// The temporary sibling a file is rewritten through (".history.jsonl.123.tmp").
		if filepath.Dir(p) == filepath.Dir(abs) && strings.HasPrefix(base, "."+filepath.Base(abs)+".") {
			return true
		}
	}
	// Editor swap and backup files.
	return strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") || strings.HasSuffix(base, "~") ||
		strings.HasPrefix(base, ".#") || base == "4913"
}

func (w *Watcher) loop() {
	var pending Change
	var timer <-chan time.Time
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if w.note(ev, &pending) {
				timer = time.After(Debounce)
			}
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			fmt.Fprintf(os.Stderr, "tend | watch: %v\n", limitError(err))
		case <-timer:
			timer = nil
			select {
			case w.changes <- pending:
			case <-w.done:
				return
			}
			pending = Change{}
		}
	}
}

// note records an event; it reports whether the event matters.
func (w *Watcher) note(ev fsnotify.Event, c *Change) bool {
	p, err := filepath.Abs(ev.Name)
	if err != nil {
		return false
	}
	if ev.Has(fsnotify.Create) {
		if st, err := os.Stat(p); err == nil && st.IsDir() && w.underGlobRoot(p) && !w.ignored(p) {
			dirs := map[string]bool{}
			_ = w.addTree(p, dirs)
			for d := range dirs {
				_ = w.w.Add(d)
			}
		}
	}
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if w.files[p] {
		c.Config = true
		return true
	}
	if w.ignored(p) || w.inIgnoredDir(p) {
		return false
	}
	rel, err := filepath.Rel(w.root(), p)
	if err != nil {
		return false
	}
	for _, g := range w.opts.Globs {
		if Match(g, filepath.ToSlash(rel)) {
			if !slices.Contains(c.Matched, rel) {
				c.Matched = append(c.Matched, rel)
			}
			return true
		}
	}
	return false
}

func (w *Watcher) root() string {
	r, err := filepath.Abs(w.opts.Root)
	if err != nil {
		return w.opts.Root
	}
	return r
}

func (w *Watcher) inIgnoredDir(p string) bool {
	rel, err := filepath.Rel(w.root(), p)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		for _, d := range ignoredDirs {
			if part == d {
				return true
			}
		}
	}
	return false
}

func (w *Watcher) underGlobRoot(p string) bool {
	for _, r := range globRoots(w.opts.Root, w.opts.Globs) {
		if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// globRoots are the directories the globs can match under: the part of
// each pattern before its first wildcard.
func globRoots(root string, globs []string) []string {
	var out []string
	for _, g := range globs {
		parts := strings.Split(g, "/")
		fixed := []string{}
		for _, p := range parts[:len(parts)-1] {
			if strings.ContainsAny(p, "*?[") {
				break
			}
			fixed = append(fixed, p)
		}
		dir, err := filepath.Abs(filepath.Join(append([]string{root}, fixed...)...))
		if err == nil {
			out = append(out, dir)
		}
	}
	return out
}

// Match reports whether the slash-separated path matches pattern, where
// "**" matches any number of directories and the other segments follow
// path.Match.
func Match(pattern, path string) bool {
	return matchParts(strings.Split(pattern, "/"), strings.Split(path, "/"))
}

func matchParts(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(parts); i++ {
				if matchParts(pat[1:], parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, err := filepath.Match(pat[0], parts[0]); err != nil || !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}
