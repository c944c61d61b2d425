package envfile

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/joho/godotenv"

	"github.com/tend-run/tend/regfile"
)

const dir = "../testdata/envfile/"

var update = flag.Bool("update", false, "rewrite the golden files")

// render shows ReadFile's result the way the golden files hold it: keys
// sorted, values quoted so that newlines and blanks are visible.
func render(vars map[string]string, err error) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(&b, "%s=%q\n", k, vars[k])
	}
	if err != nil {
		fmt.Fprintf(&b, "error: %s\n", err)
	}
	return b.String()
}

// TestReadFileGolden reads every fixture with HOME set, to show that
// ${HOME} does not see the process environment.
func TestReadFileGolden(t *testing.T) {
	t.Setenv("HOME", "/home/from-env")
	t.Setenv("ONLY_IN_B", "from-env")
	files, _ := filepath.Glob(dir + "*.env")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".env")
		t.Run(name, func(t *testing.T) {
			vars, err := ReadFile(path)
			got := strings.ReplaceAll(render(vars, err), dir, "")
			golden := strings.TrimSuffix(path, ".env") + ".want"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if err != nil && strings.Contains(got, "secret") {
				t.Errorf("the error leaks a value: %s", got)
			}
		})
	}
}

func TestReadFileOSErrors(t *testing.T) {
	_, err := ReadFile(dir + "missing.env")
	if want := "read env file: open " + dir + "missing.env: no such file or directory"; !errors.Is(err, fs.ErrNotExist) || err.Error() != want {
		t.Errorf("missing file: got %v, want %s", err, want)
	}
	_, err = ReadFile(dir)
	if want := "read env file: " + dir + " is a directory, not a regular file"; err == nil || err.Error() != want {
		t.Errorf("directory: got %v, want %s", err, want)
	}
	_, err = ReadFile(dir + "bad-key.env")
	var fe *FileError
	if !errors.Is(err, ErrSyntax) || !errors.As(err, &fe) || fe.Line != 4 || fe.File != dir+"bad-key.env" {
		t.Errorf("syntax error: got %#v", err)
	}
}

// TestReadFileSpecial: a .env that is a named pipe used to block `tend
// check` (and a reload) in open(2); one pointing at /dev/urandom read
// gigabytes. Both are refused at once, and so is a regular file too large
// for any process's environment.
func TestReadFileSpecial(t *testing.T) {
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, ".env")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	random := filepath.Join(tmp, "random.env")
	if err := os.Symlink("/dev/urandom", random); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(tmp, "big.env")
	if err := os.WriteFile(big, []byte("A="+strings.Repeat("x", MaxSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
		is         error
	}{
		{fifo, "read env file: " + fifo + " is a named pipe, not a regular file", regfile.ErrNotRegular},
		{random, "read env file: " + random + " is a character device, not a regular file", regfile.ErrNotRegular},
		{big, big + ": larger than 1048576 bytes", regfile.ErrTooLarge},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(tc.path)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, tc.is) || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		case <-time.After(20 * time.Second):
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close() // frees the open(2) blocked on the FIFO
			}
			t.Fatalf("ReadFile(%s) did not return within 20 s", tc.path)
		}
	}
}

// TestReadFileValueLimits: a value the kernel would refuse to pass to a
// child is an error naming the variable, never its value.
func TestReadFileValueLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	data := "SMALL=" + strings.Repeat("s", 1000) + "\nBIG=" + strings.Repeat("s", 200_000) + "\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	want := path + ":2: the value of BIG is 200000 bytes: a variable of 128 KiB or more cannot be passed to a process"
	if !errors.Is(err, ErrInvalidValue) || err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestUnterminatedLineLinear: finding the unterminated quote once scanned
// the rest of the file for every candidate: minutes for this 1 MiB file.
func TestUnterminatedLineLinear(t *testing.T) {
	data := "B='" + strings.Repeat("\\\"\n", 330_000) + "'\nA=\"\n"
	done := make(chan error, 1)
	go func() {
		_, err := parse([]byte(data), ".env")
		done <- err
	}()
	select {
	case err := <-done:
		if want := ".env:330002: unterminated quoted value"; err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("parse did not return within 60 s")
	}
}

func TestMergeOrder(t *testing.T) {
	t.Setenv("ONLY_IN_B", "from-process") // not seen by ${ONLY_IN_B} either
	env, err := Merge([]string{dir + "a.env", dir + "b.env"}, []string{"EXPORTED=real", "NEW=n", "NOEQUALS", "EMPTY="})
	if err != nil {
		t.Fatal(err)
	}
	a, b := dir+"a.env", dir+"b.env"
	want := []Var{
		{"B_SEES_A", "from-b", b}, // b's own PLAIN, defined just before
		{"COMMENTED", "abc", a},
		{"DEFINED_LATER", "z", a},
		{"DOUBLE", "line1\nline2 t tab", a},
		{"EMPTY", "", Environment},
		{"EXPANDED", "value-x", a},
		{"EXPORTED", "real", Environment}, // the real environment wins
		{"FROM_OTHER", "", a},             // ${ONLY_IN_B}: other files are not seen
		{"LATER_REF", "", a},
		{"NEW", "n", Environment},
		{"ONLY_IN_B", "b", b},
		{"PLAIN", "from-b", b}, // the later file wins
		{"SINGLE", `lit $PLAIN\n`, a},
	}
	if got := env.Vars(); !slices.Equal(got, want) {
		t.Errorf("Vars:\n got %q\nwant %q", got, want)
	}
	if env.FromFiles() != 10 {
		t.Errorf("FromFiles = %d, want 10", env.FromFiles())
	}
	if e := env.Environ(); len(e) != len(want) || e[0] != "B_SEES_A=from-b" || e[4] != "EMPTY=" || e[6] != "EXPORTED=real" {
		t.Errorf("Environ = %q", e)
	}
	if v, ok := env.Get("EMPTY"); !ok || v != "" {
		t.Errorf(`Get("EMPTY") = %q, %v`, v, ok)
	}
	if _, ok := env.Get("NOEQUALS"); ok {
		t.Error(`an environ entry without "=" was kept`)
	}
}

func TestMergeReportsEveryBadFile(t *testing.T) {
	_, err := Merge([]string{dir + "missing.env", dir + "bad-key.env", dir + "a.env"}, nil)
	want := "read env file: open " + dir + "missing.env: no such file or directory\n" +
		dir + `bad-key.env:4: unexpected character "-" in variable name`
	if err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, ErrSyntax) {
		t.Errorf("got %v\nwant %s", err, want)
	}
	env, err := Merge(nil, nil)
	if err != nil || len(env.Vars()) != 0 || env.FromFiles() != 0 {
		t.Errorf("no files: %v, %v", env, err)
	}
}

// knownProblem matches every message a FileError may carry: none of them
// holds more of the file than one character.
var knownProblem = regexp.MustCompile(`^(invalid line \(expected KEY=value\)|unterminated quoted value|` +
	`unexpected text after a quoted value|invalid syntax|unexpected character (".+") in variable name|` +
	`the value of .+ has a NUL byte, which no process environment can hold|` +
	`the value of .+ is \d+ bytes: a variable of 128 KiB or more cannot be passed to a process)$`)

// FuzzReadFile parses any bytes as ReadFile does (without the file
// system, to keep it fast): no panic; every error is a *FileError naming
// the file, with a line inside the file and a message that leaks nothing.
func FuzzReadFile(f *testing.F) {
	files, _ := filepath.Glob(dir + "*.env")
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := parse(data, "fuzz.env")
		if err == nil {
			return
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.File != "fuzz.env" || !strings.HasPrefix(err.Error(), "fuzz.env") {
			t.Fatalf("not a FileError naming the file: %v", err)
		}
		if lines := strings.Count(string(data), "\n") + 1; fe.Line < 0 || fe.Line > lines {
			t.Fatalf("line %d outside the file's %d lines: %v", fe.Line, lines, err)
		}
		m := knownProblem.FindStringSubmatch(fe.Msg)
		if m == nil {
			t.Fatalf("unexpected message %q", fe.Msg)
		}
		if c, err := strconv.Unquote(m[2]); m[2] != "" && (err != nil || utf8.RuneCountInString(c) != 1) {
			t.Fatalf("not one character in %q", fe.Msg)
		}
		// The slow oracle: the first line from which every longer prefix
		// fails. It differs only where a statement starts after a quoted
		// value on the same line, so only lines without quotes are held to it.
		norm := strings.ReplaceAll(string(data), "\r\n", "\n")
		lines := strings.SplitAfter(norm, "\n")
		if fe.Line > 0 && len(lines) <= maxLineSearch && !strings.ContainsAny(lines[fe.Line-1], `"'`) {
			// An empty key is tend's own error: godotenv parses it.
			_, gerr := godotenv.UnmarshalBytes([]byte(norm))
			if want := failingLine([]byte(norm)); gerr != nil && want != fe.Line {
				t.Fatalf("line %d, want %d: %v", fe.Line, want, err)
			}
		}
	})
}
