package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/procfile"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadCapsProblems: 25 bad Procfile lines and 3 bad cron entries give
// the first 20 problems and a count of the rest, still typed.
func TestLoadCapsProblems(t *testing.T) {
	var pf strings.Builder
	for i := range 25 {
		fmt.Fprintf(&pf, "bad %d\n", i)
	}
	dir := writeFiles(t, map[string]string{
		"Procfile": pf.String(),
		"app.json": `{"cron": [1, 2, 3]}`,
	})
	_, err := Load(Options{Root: dir})
	if err == nil {
		t.Fatal("no error")
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != MaxProblems+1 || got[MaxProblems] != "… and 8 more problems" {
		t.Errorf("%d lines, last %q:\n%s", len(got), got[len(got)-1], err)
	}
	if !errors.Is(err, procfile.ErrInvalidLine) {
		t.Errorf("errors.Is(ErrInvalidLine) lost: %v", err)
	}
	// Exec mode turns them into warnings: capped the same way.
	a, err := Load(Options{Root: dir, Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Warnings) != MaxProblems+1 || a.Warnings[MaxProblems] != "… and 8 more warnings" {
		t.Errorf("%d warnings: %q", len(a.Warnings), a.Warnings)
	}
}

// TestLoadFewProblemsUncut: under the cap, every problem is there.
func TestLoadFewProblemsUncut(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Procfile": "web: x\nbad\n", "app.json": `{"cron": [1]}`})
	_, err := Load(Options{Root: dir})
	var pe *appjson.ParseError
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !errors.As(err, &pe) || strings.Contains(err.Error(), "more problems") {
		t.Errorf("got %v", err)
	}
}
