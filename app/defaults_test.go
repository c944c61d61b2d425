package app

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	dir := writeFiles(t, map[string]string{".tend": "TEND_FORMATION=web=2\nTEND_WACTH=1\nTEND_TIMEOUT=5\n", "bad": "TEND_X=1\nnot a line\n"})
	known := []string{"TEND_FORMATION", "TEND_WATCH", "TEND_TIMEOUT"}
	d, err := LoadDefaults(filepath.Join(dir, ".tend"), false, known, []string{"TEND_TIMEOUT=9", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Names(); !slices.Equal(got, []string{"TEND_FORMATION"}) {
		t.Errorf("applied %v: the real environment's TEND_TIMEOUT must win", got)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "unknown setting TEND_WACTH (did you mean TEND_WATCH?)") {
		t.Errorf("warnings %q", d.Warnings)
	}
	if env := d.Without([]string{"TEND_FORMATION=web=2", "PATH=/bin"}); !slices.Equal(env, []string{"PATH=/bin"}) {
		t.Errorf("Without: %v", env)
	}
	if _, err := LoadDefaults(filepath.Join(dir, "bad"), false, known, nil); err == nil || !strings.Contains(err.Error(), "bad:2:") {
		t.Errorf("malformed: %v", err)
	}
	if _, err := LoadDefaults(filepath.Join(dir, "none"), false, known, nil); err != nil {
		t.Errorf("a missing .tend is no error: %v", err)
	}
	if _, err := LoadDefaults(filepath.Join(dir, "none"), true, known, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing TEND_CONFIG: %v", err)
	}
}
