package appjson

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "app.json"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestLoadReadsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(path, []byte(`{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != path || len(f.Jobs) != 1 || f.Jobs[0].Command != "bin/a" || f.Formation != nil {
		t.Fatalf("Load = %+v", f)
	}
}

// TestParseErrorFields checks that every problem is a *ParseError a caller
// can inspect with errors.As, and that they are all reported at once.
func TestParseErrorFields(t *testing.T) {
	data := []byte("{\"cron\": [\n  {\"command\": \"bin/a\", \"schedule\": \"0 0 * * * *\"},\n  {\"command\": \"bin/b\"}\n]}")
	_, err := Parse(data, "app.json", Options{})
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("want two joined errors, got %v", err)
	}
	var pe *ParseError
	if !errors.As(joined.Unwrap()[1], &pe) {
		t.Fatalf("not a *ParseError: %v", err)
	}
	if pe.File != "app.json" || pe.Line != 3 || pe.Index != 1 || pe.Command != "bin/b" || pe.Err.Error() != `missing "schedule"` {
		t.Fatalf("ParseError = %+v", pe)
	}

	_, err = Parse([]byte("{\n  \"cron\": [,]\n}"), "app.json", Options{})
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column == 0 || pe.Index != -1 {
		t.Fatalf("syntax error = %#v", err)
	}
}
