package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// chain is what an app file resolves to: every path on the way that was a
// symlink, in order, and the path it ends at (which may not exist).
type chain struct {
	links []string
	final string
}

func (c chain) equal(o chain) bool {
	return c.final == o.final && slices.Equal(c.links, o.links)
}

// paths are the links and the final path.
func (c chain) paths() []string {
	return append(slices.Clone(c.links), c.final)
}

// maxLinks is the kernel's limit on symlinks followed in one lookup.
const maxLinks = 40

// resolve follows the symlinks of the absolute path p, in any component,
// as the kernel does, recording each link it passes.
func resolve(p string) chain {
	var c chain
	cur := filepath.Clean(p)
	for range maxLinks {
		link, rest, ok := firstLink(cur)
		if !ok {
			break
		}
		target, err := os.Readlink(link)
		if err != nil {
			break
		}
		c.links = append(c.links, link)
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(link), target)
		}
		cur = filepath.Join(target, rest)
	}
	c.final = cur
	return c
}

// firstLink finds the first component of the absolute, clean path p that is
// a symlink; it returns that prefix of p and the rest of p after it.
func firstLink(p string) (link, rest string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(p, string(filepath.Separator)), string(filepath.Separator))
	prefix := string(filepath.Separator)
	for i, part := range parts {
		next := filepath.Join(prefix, part)
		st, err := os.Lstat(next)
		if err != nil {
			return "", "", false
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return next, filepath.Join(parts[i+1:]...), true
		}
		prefix = next
	}
	return "", "", false
}

// onChain reports whether p is a path some app file resolves through, or a
// directory above one (created, removed or renamed as a whole).
func (w *Watcher) onChain(p string) bool {
	for _, c := range w.chains {
		for _, q := range c.paths() {
			if q == p || strings.HasPrefix(q, p+string(filepath.Separator)) {
				return true
			}
		}
	}
	return false
}

// refresh resolves every app file again, watches the directories their
// chains now pass through (and stops watching those they left), and
// reports whether any file resolves differently than before.
func (w *Watcher) refresh() bool {
	changed := false
	want := map[string]bool{}
	for f := range w.files {
		c := resolve(f)
		if old, ok := w.chains[f]; ok && !old.equal(c) {
			changed = true
		}
		w.chains[f] = c
		for _, q := range c.paths() {
			if d := filepath.Dir(q); !w.fixed[d] {
				want[d] = true
			}
		}
	}
	for d := range want {
		if !w.linkDirs[d] && w.w.Add(d) == nil {
			w.linkDirs[d] = true
		}
	}
	for d := range w.linkDirs {
		if !want[d] {
			_ = w.w.Remove(d) // fails when the directory is gone, which ends its watch anyway
			delete(w.linkDirs, d)
		}
	}
	return changed
}
