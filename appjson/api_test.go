package appjson

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
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

func TestEvery(t *testing.T) {
	s, err := ParseSchedule("@every 90s", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := s.Every(); !ok || d != 90*time.Second {
		t.Errorf("Every() = %v, %v", d, ok)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := s.NextN(from, 2)
	if len(got) != 2 || !got[0].Equal(from.Add(90*time.Second)) || !got[1].Equal(from.Add(180*time.Second)) {
		t.Errorf("NextN = %v", got)
	}
	s, _ = ParseSchedule("@daily", nil)
	if _, ok := s.Every(); ok {
		t.Error("@daily reports an interval")
	}
}

func TestNeverFires(t *testing.T) {
	s, err := ParseSchedule("0 0 31 2 *", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(now); !got.IsZero() {
		t.Errorf("Next = %v, want the zero time", got)
	}
	if got := s.NextN(now, 3); len(got) != 0 {
		t.Errorf("NextN = %v, want none", got)
	}
}
