package watch

import (
	"path/filepath"
	"strings"
)

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
