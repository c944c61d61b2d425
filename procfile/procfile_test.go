package procfile

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tend-run/tend/regfile"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// render shows a parse result the way the golden files hold it.
func render(entries []Entry, err error) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%d %s: %s\n", e.Line, e.Name, e.Command)
	}
	if err != nil {
		fmt.Fprintf(&b, "error:\n%s\n", err)
	}
	return b.String()
}

func TestParseFixtures(t *testing.T) {
	files, _ := filepath.Glob("../testdata/procfile/*.Procfile")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".Procfile")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := render(Parse(f, "Procfile"))
			golden := strings.TrimSuffix(path, ".Procfile") + ".want"
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestParseErrorsAreTyped(t *testing.T) {
	_, err := Parse(strings.NewReader("web: a\nweb: b\nbad line\n"), "Procfile")
	var pe *ParseError
	if !errors.Is(err, ErrDuplicate) || !errors.Is(err, ErrInvalidLine) || !errors.As(err, &pe) || pe.File != "Procfile" {
		t.Errorf("err = %v", err)
	}
	_, err = ParseFile(filepath.Join(t.TempDir(), "Procfile"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "Procfile") {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "Procfile")
	_, err := ParseFile(missing)
	if want := "read Procfile: open " + missing + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("missing file: got %v, want %s", err, want)
	}
	if _, err := ParseFile(dir); err == nil || err.Error() != "read Procfile: "+dir+" is a directory, not a regular file" {
		t.Errorf("directory: got %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte("web: "+strings.Repeat("x", 1<<20)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ParseFile(big)
	if !errors.Is(err, ErrTooLarge) || err.Error() != big+": larger than 1048576 bytes" {
		t.Errorf("large file: got %v", err)
	}
}

// TestParseLongLines: a line longer than bufio.Scanner's 64 KiB is read
// whole; a command longer than MaxCommandLength, which the shell could
// never be given, is an error at its line (it used to pass check and fail
// with status 126 at start).
func TestParseLongLines(t *testing.T) {
	long := "echo " + strings.Repeat("x", MaxCommandLength-5)
	entries, err := Parse(strings.NewReader("web: "+long+"\n"), "Procfile")
	if err != nil || len(entries) != 1 || entries[0].Command != long {
		t.Errorf("long line: %v", err)
	}
	huge := strings.Repeat("x", 900_000)
	_, err = Parse(strings.NewReader("web: bin/web\nworker: echo "+huge+"\n"), "Procfile")
	want := `Procfile:2: process "worker" has a command of 900005 bytes, over the limit of 65536 (the kernel refuses an argument of 128 KiB)`
	if !errors.Is(err, ErrCommandTooLong) || err.Error() != want {
		t.Errorf("900 KB command: got %v, want %s", err, want)
	}
}

// TestParseFileFIFO: a Procfile that is a named pipe is refused at once,
// naming it; it used to block `tend check` (and a reload) in open(2).
func TestParseFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Procfile")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ParseFile(path)
		done <- err
	}()
	select {
	case err := <-done:
		if want := "read Procfile: " + path + " is a named pipe, not a regular file"; !errors.Is(err, regfile.ErrNotRegular) || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	case <-time.After(20 * time.Second):
		// Free the blocked open(2) so the test binary can go on.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("ParseFile of a FIFO blocked for 20 s")
	}
}

func TestSplitWarnings(t *testing.T) {
	glued := func(w string) string {
		return "an operator glued to a word (" + w + ") is not seen as one: put spaces around it"
	}
	for _, tc := range []struct {
		command string
		want    []string
	}{
		{"bundle exec puma -C config/puma.rb", nil},
		{"bin/worker && bin/other | tee x", nil},
		{"bin/a ; bin/b > log 2> err", nil},
		{"echo cost=5 $1 $$ 100%", nil},
		{`echo "hi there"`, []string{warnQuotes}},
		{"echo 'it'", []string{warnQuotes}},
		{"echo $(date)", []string{warnSubst}},
		{"echo `date`", []string{warnSubst}},
		{"cmd >log", []string{glued(">log")}},
		{"a;b", []string{glued("a;b")}},
		{"cmd&", []string{glued("cmd&")}},
		{"cmd 2>&1", []string{glued("2>&1")}},
		{"cmd &", []string{warnAmpAlone}},
		{"RAILS_ENV=production rails s", []string{warnAssign}},
		{"rails s --env=production", nil},
		{"puma -p $PORT", []string{warnHostVar}},
		{"puma -p ${PORT:-5000}", []string{warnHostVar}},
		{"rm *.tmp", []string{warnGlob}},
		{"ls file?.txt [ab]", []string{warnGlob}},
		{"ls ~/x", []string{warnTilde}},
		// In shell mode the re-joined line reaches /bin/sh: only quotes
		// and host-side $VARS are still lost.
		{"A=1 rm *.tmp ~/x $(date) >log && echo done", nil},
		{`echo "$HOME" | tee out`, []string{warnQuotes, warnHostVar}},
		{`X=1 echo "$(ls *)" >log`, []string{warnQuotes, warnSubst, warnAssign, glued(">log"), warnGlob}},
	} {
		if got := SplitWarnings(tc.command); !slices.Equal(got, tc.want) {
			t.Errorf("SplitWarnings(%q)\n got %q\nwant %q", tc.command, got, tc.want)
		}
	}
}

// errorLine is the shape of every line of Parse's errors.
var errorLine = regexp.MustCompile(`^Procfile(:[1-9][0-9]*)?: \S`)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/procfile/*.Procfile")
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(string(data))
	}
	f.Add("web: " + strings.Repeat("x", MaxCommandLength) + "\nworker: a\x00\n")
	f.Fuzz(func(t *testing.T, data string) {
		entries, err := Parse(strings.NewReader(data), "Procfile")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errorLine.MatchString(line) {
					t.Fatalf("error line without file and line: %q", line)
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if e.Command == "" || !validName(e.Name) || len(e.Name) > maxNameLength || seen[e.Name] || e.Line < 1 ||
				len(e.Command) > MaxCommandLength || strings.ContainsRune(e.Command, 0) {
				t.Fatalf("bad entry %+v", e)
			}
			seen[e.Name] = true
		}
		_ = SplitWarnings(data)
	})
}

func TestIsShellOperator(t *testing.T) {
	for _, w := range []string{"&&", "||", "|", ";", ">", ">>", "<"} {
		if !IsShellOperator(w) {
			t.Errorf("%q is an operator", w)
		}
	}
	for _, w := range []string{"&", "a>b", ">&2", "", "2>"} {
		if IsShellOperator(w) {
			t.Errorf("%q is not an operator", w)
		}
	}
}

// Messages quote at most 60 bytes of the input and never cut a UTF-8
// character in half (it would show as a \x escape).
func TestMessagesCutOnARuneBoundary(t *testing.T) {
	long := strings.Repeat("x", 59) + strings.Repeat("é", 30) // byte 60 is inside an é
	_, err := Parse(strings.NewReader(long+"\n"), "Procfile")
	if err == nil {
		t.Fatal("a line without a colon parsed")
	}
	want := fmt.Sprintf("invalid line %q", strings.Repeat("x", 59)+"…")
	if msg := err.Error(); !strings.Contains(msg, want) || strings.Contains(msg, `\x`) {
		t.Errorf("got %s\nwant it to contain %s", msg, want)
	}
	for _, w := range SplitWarnings("run a|" + strings.Repeat("ü", 40)) {
		if !utf8.ValidString(w) || strings.Contains(w, "\ufffd") {
			t.Errorf("warning cuts a character: %q", w)
		}
	}
	if got := shorten(strings.Repeat("日本", 20)); !utf8.ValidString(got) || len(got) > 60+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("shorten = %q", got)
	}
}
