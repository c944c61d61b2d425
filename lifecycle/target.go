package lifecycle

import (
	"fmt"
	"path"
	"strings"
)

// Match finds the instances a control target names, given their names and
// types (by index): comma-separated types, instances or globs of either
// ("web", "web.2", "web.*", "*"), each instance once, in order of the
// target; an empty target is every instance. A name or glob that matches
// nothing is an error, and then nothing is matched.
func Match(target string, names, types []string) ([]int, error) {
	if strings.TrimSpace(target) == "" {
		all := make([]int, len(names))
		for i := range names {
			all[i] = i
		}
		return all, nil
	}
	var matched []int
	seen := map[int]bool{}
	for _, pattern := range strings.Split(target, ",") {
		pattern = strings.TrimSpace(pattern)
		if pattern == "" {
			continue
		}
		found := false
		for i := range names {
			if named(pattern, names[i], types[i]) {
				found = true
				if !seen[i] {
					seen[i] = true
					matched = append(matched, i)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("no process %q; running: %v", pattern, names)
		}
	}
	return matched, nil
}

// named reports whether pattern (a name or a glob) names an instance or
// its type.
func named(pattern, instance, typ string) bool {
	if pattern == instance || pattern == typ {
		return true
	}
	ok1, _ := path.Match(pattern, instance)
	ok2, _ := path.Match(pattern, typ)
	return ok1 || ok2
}
