// Package watch turns file changes into reload requests for --watch.
//
// fsnotify watches directories, not files: editors save by writing a new
// file and renaming it over the old one, which a watch on the file itself
// would lose. So the directories of the app's files are watched and events
// filtered by name; for --watch-path globs every directory below the
// globs' roots is watched (inotify is not recursive), new directories are
// added as they appear, and bursts of events are debounced into one.
//
// An app file may be a symlink, and so may a directory on its path: on
// Kubernetes a ConfigMap or Secret volume holds NAME -> ..data/NAME and
// ..data -> a timestamped directory, and the kubelet updates it by renaming
// a new ..data_tmp symlink over ..data, so NAME itself never changes. So
// each app file is resolved link by link, the directories of every link
// and of the target are watched, and an event on any of those paths (or
// a change in what the file resolves to) is a change of the file.
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
	// OnError, if set, is told of the errors the watcher meets while it
	// runs (the inotify limit, say); they do not stop it. It is called
	// from the watcher's goroutine, and never after Close returns.
	OnError func(error)
}

// Watcher delivers Changes until Close.
type Watcher struct {
	w       *fsnotify.Watcher
	opts    Options
	files   map[string]bool
	changes chan Change
	done    chan struct{}
	stopped chan struct{} // the loop has ended and closed changes
	once    sync.Once

	// chains is what each app file resolves to; the loop alone uses it.
	chains map[string]chain
	// fixed are the directories watched for the app files and globs, never
	// removed; fileDirs are the app files' own among them; linkDirs are
	// those watched because a link chain passes through them, which change
	// as the links do.
	fixed    map[string]bool
	fileDirs map[string]bool
	linkDirs map[string]bool
}

// New starts watching.
func New(opts Options) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", limitError(err))
	}
	w := &Watcher{w: fw, opts: opts, files: map[string]bool{}, changes: make(chan Change, 1), done: make(chan struct{}),
		stopped: make(chan struct{}), chains: map[string]chain{}, fileDirs: map[string]bool{}, linkDirs: map[string]bool{}}
	dirs := map[string]bool{}
	for _, f := range opts.Files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		w.files[abs] = true
		dirs[filepath.Dir(abs)] = true
		w.fileDirs[filepath.Dir(abs)] = true
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
	w.fixed = dirs
	w.refresh()
	go w.loop()
	return w, nil
}

// Changes delivers debounced changes; it is closed after Close.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Close stops watching; Changes is closed when it returns.
func (w *Watcher) Close() {
	w.once.Do(func() {
		close(w.done)
		w.w.Close()
	})
	<-w.stopped
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
	defer close(w.stopped)
	defer close(w.changes)
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
			if w.opts.OnError != nil {
				w.opts.OnError(limitError(err))
			}
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
	onChain := w.files[p] || w.onChain(p)
	if onChain || w.linkDirs[filepath.Dir(p)] || w.fileDirs[filepath.Dir(p)] {
		// Compare what the files resolve to now: a link swapped anywhere
		// on their way is a change even if no event named it.
		if w.refresh() || onChain {
			c.Config = true
			return true
		}
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
