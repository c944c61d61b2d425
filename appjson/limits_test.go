package appjson

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tend-run/tend/regfile"
)

// within runs f and fails the test if it has not returned within a
// generous deadline (the old code blocked forever, or for minutes).
func within(t *testing.T, d time.Duration, what string, unblock func(), f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		if unblock != nil {
			unblock()
		}
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// TestLoadFIFO: an app.json that is a named pipe is refused at once; it
// used to block `tend check` and a reload in open(2).
func TestLoadFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.json")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	unblock := func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}
	within(t, 20*time.Second, "Load of a FIFO", unblock, func() {
		_, err := Load(path, Options{})
		if want := "read app.json: " + path + " is a named pipe, not a regular file"; !errors.Is(err, regfile.ErrNotRegular) || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.json")
	data := `{"cron": [], "x": "` + strings.Repeat("x", MaxSize) + `"}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, Options{})
	if want := path + ": larger than 1048576 bytes"; !errors.Is(err, regfile.ErrTooLarge) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestParseDeepNesting: 700,000 "[" used to overflow the goroutine stack
// in hujson's recursive parser, a fatal error that killed tend (on a
// --watch reload, the running tend, orphaning its children).
func TestParseDeepNesting(t *testing.T) {
	deep := "{\n\"cron\": [],\n\"x\": " + strings.Repeat("[", 700_000) + strings.Repeat("]", 700_000) + "}"
	_, err := Parse([]byte(deep), "app.json", Options{})
	if want := "app.json:3: nested too deeply: more than 10000 levels of arrays and objects"; !errors.Is(err, ErrTooDeep) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	// As deep as encoding/json (and so Dokku) goes is fine, and brackets
	// in strings and comments do not count.
	ok := `{"cron": [], "x": ` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) +
		`, "s": "` + strings.Repeat(`[\"`, MaxDepth) + `", /* ` + strings.Repeat("{", MaxDepth) + " */\n// " + strings.Repeat("[", MaxDepth) + "\n}"
	if _, err := Parse([]byte(ok), "app.json", Options{}); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
	// Deep in a cron entry: the entry's line.
	inEntry := "{\"cron\": [\n{\"command\": \"a\", \"schedule\": \"@daily\"},\n{\"command\": " + strings.Repeat("[", 20_000) + "}]}"
	if _, err := Parse([]byte(inEntry), "app.json", Options{}); err == nil || !strings.HasPrefix(err.Error(), "app.json:3: nested too deeply") {
		t.Errorf("deep entry: %v", err)
	}
}

// TestParseManyEntriesLinear: a 1 MiB app.json of 350,000 bad entries.
// Each entry's line number used to be counted from the start of the file
// (quadratic: minutes); now the whole parse takes well under a second, and
// the deadline here is generous for a loaded machine.
func TestParseManyEntriesLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"cron\": [\n")
	for b.Len() < MaxSize-10 {
		b.WriteString("1,\n")
	}
	b.WriteString("]}")
	within(t, 60*time.Second, "Parse of 350,000 entries", nil, func() {
		_, err := Parse([]byte(b.String()), "app.json", Options{})
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			t.Errorf("got %v", err)
			return
		}
		errs := joined.Unwrap()
		last := len(errs) - 1
		var pe *ParseError
		if !errors.As(errs[last], &pe) || pe.Line != last+2 || pe.Index != last {
			t.Errorf("last error %v: want line %d, cron[%d]", errs[last], last+2, last)
		}
	})
}

// TestCommandLimits: what the kernel would refuse when the job is due is
// an error of `tend check` at the entry's line.
func TestCommandLimits(t *testing.T) {
	data := "{\"cron\": [\n{\"command\": \"echo " + strings.Repeat("x", 900_000) + "\", \"schedule\": \"@daily\"},\n" +
		"{\"command\": \"echo " + strings.Repeat("x", MaxCommandLength-5) + "\", \"schedule\": \"@hourly\"}\n]}"
	_, err := Parse([]byte(data), "app.json", Options{})
	want := `app.json:2: cron[0] ("echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"): "command" is 900005 bytes, over the limit of 65536 (the kernel refuses an argument of 128 KiB)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestLinesMatchCounting(t *testing.T) {
	data := []byte("a\n\nbc\nd\n")
	nl := newLines(data)
	for off := 0; off <= len(data); off++ {
		if got, want := nl.line(off), strings.Count(string(data[:off]), "\n")+1; got != want {
			t.Errorf("line(%d) = %d, want %d", off, got, want)
		}
	}
}

// TestShortenKeepsWholeRunes: a long non-ASCII command is cut between
// characters, so messages quote it as text, not as \x escapes.
func TestShortenKeepsWholeRunes(t *testing.T) {
	for _, s := range []string{strings.Repeat("é", 40), "x" + strings.Repeat("日本", 30), strings.Repeat("a", 60)} {
		got := shorten(s)
		if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) > 50+len("…") {
			t.Errorf("shorten(%q) = %q", s, got)
		}
		if q := fmt.Sprintf("%q", got); strings.Contains(q, `\x`) {
			t.Errorf("quoted as %s", q)
		}
	}
	if got := shorten("short é"); got != "short é" {
		t.Errorf("shorten of a short string: %q", got)
	}
}
