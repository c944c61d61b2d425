package app

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/envfile"
)

// ProjectFile is the file of a project's own defaults for tend's settings
// (foreman's .foreman, overmind's .overmind.env), in the working directory
// unless TEND_CONFIG names another.
const ProjectFile = ".tend"

// Defaults are the settings a project file gives: TEND_* names and their
// values, weaker than the real environment and the flags, never passed to
// the processes.
type Defaults struct {
	Path string
	// Set are the names applied (not already in the environment).
	Set map[string]string
	// Warnings name unknown keys, with a did-you-mean.
	Warnings []string
}

// LoadDefaults reads path (.env syntax) for the settings known by their
// TEND_* names; keys environ already has are left alone. A missing file is
// no error unless required (TEND_CONFIG named it); a malformed one is an
// error naming the file and line.
func LoadDefaults(path string, required bool, known, environ []string) (Defaults, error) {
	d := Defaults{Path: path, Set: map[string]string{}}
	vars, err := envfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	have := map[string]bool{}
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		have[k] = true
	}
	for k, v := range vars {
		switch {
		case !slices.Contains(known, k):
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: %s", path, unknownSetting(k, known)))
		case !have[k]:
			d.Set[k] = v
		}
	}
	slices.Sort(d.Warnings)
	return d, nil
}

// unknownSetting words the warning for a key tend does not know.
func unknownSetting(key string, known []string) string {
	best, bestDist := "", 4 // more than 3 edits away is no near miss
	for _, k := range known {
		if d := appjson.EditDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return fmt.Sprintf("unknown setting %s (tend's settings are TEND_* names)", key)
	}
	return fmt.Sprintf("unknown setting %s (did you mean %s?)", key, best)
}

// Names lists the keys of d.Set, sorted.
func (d Defaults) Names() []string {
	var names []string
	for k := range d.Set {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Without returns environ minus the variables d set, so that a project's
// defaults for tend never reach the app's processes.
func (d Defaults) Without(environ []string) []string {
	if len(d.Set) == 0 {
		return environ
	}
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		_, set := d.Set[k]
		return set
	})
}
