// Package procfile parses Procfiles as Heroku and Dokku read them.
//
// Each non-comment line is "name: command". Names are [A-Za-z0-9_-], at
// most 63 characters (Dokku's procfile-util, lax mode); whitespace may come
// before the colon. The command is everything after the first colon,
// trimmed, and is left exactly as written: no comment stripping, no
// expansion. It runs under /bin/sh -c later, and the shell handles
// `# comments`, quotes and $VARS correctly. Lines that are blank or start
// with "#" or "//" are comments; CRLF line endings and a UTF-8 BOM are
// accepted.
package procfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tend-run/tend/regfile"
)

// maxNameLength is Dokku's limit on a process type name.
const maxNameLength = 63

// maxSize bounds what Parse reads; real Procfiles are a few hundred bytes.
const maxSize = 1 << 20

// MaxCommandLength is the longest command accepted, in bytes. A command
// runs as `/bin/sh -c COMMAND`, one argument, and Linux refuses an
// argument of MAX_ARG_STRLEN (128 KiB) or more with E2BIG, which the shell
// would only report as exit status 126 when tend starts it. Half of that
// leaves room for the words `tend -- TYPE ARGS` and a cron entry naming a
// type append to the command.
const MaxCommandLength = 64 << 10

// Entry is one process type.
type Entry struct {
	Name    string
	Command string
	// Line is the 1-based line number in the file.
	Line int
}

// The problems a Procfile can have, wrapped by ParseError.Err, for
// errors.Is.
var (
	// ErrInvalidLine: a non-comment line that is not "name: command".
	ErrInvalidLine = errors.New("invalid line")
	// ErrInvalidName: a name with characters outside [A-Za-z0-9_-].
	ErrInvalidName = errors.New("invalid process name")
	// ErrNameTooLong: a name longer than 63 characters (Dokku's limit).
	ErrNameTooLong = errors.New("process name too long")
	// ErrEmptyCommand: nothing, or only a comment, after the colon.
	ErrEmptyCommand = errors.New("empty command")
	// ErrDuplicate: a name defined twice.
	ErrDuplicate = errors.New("duplicate process type")
	// ErrNoEntries: a file with no process types at all (Line is 0).
	ErrNoEntries = errors.New("no process types defined")
	// ErrTooLarge: a file over 1 MiB (Line is 0).
	ErrTooLarge = errors.New("file too large")
	// ErrCommandTooLong: a command over MaxCommandLength bytes.
	ErrCommandTooLong = errors.New("command too long")
	// ErrNULByte: a command with a NUL byte, which no argument of
	// execve(2) can hold.
	ErrNULByte = errors.New("NUL byte in command")
)

// ParseError is one problem, at a line of a file ("Procfile:3: ...").
type ParseError struct {
	File string
	// Line is 0 for problems of the whole file.
	Line int
	// Msg describes the problem; Err is the sentinel it is an instance of.
	Msg string
	Err error
}

// Error returns "file:line: message", or "file: message" when Line is 0.
func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap returns the sentinel error, for errors.Is.
func (e *ParseError) Unwrap() error { return e.Err }

// ParseFile reads and parses the Procfile at path, naming it path in
// messages. An unreadable file gives "read Procfile: open PATH: ..."
// wrapping the os error, so errors.Is(err, fs.ErrNotExist) holds for a
// missing one. Only a regular file (or a symlink to one) is read: a named
// pipe or a device is refused at once, wrapping regfile.ErrNotRegular,
// rather than blocking.
func ParseFile(path string) ([]Entry, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read Procfile: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f, path)
	if errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		// The os error already names path ("read PATH: is a directory").
		return nil, fmt.Errorf("read Procfile: %w", err)
	}
	return parse(data, path)
}

// Parse reads a Procfile from r; file names it in messages. It returns the
// entries in file order, or every problem in the file joined with
// errors.Join, each a *ParseError: never a partial list.
func Parse(r io.Reader, file string) ([]Entry, error) {
	data, err := readLimited(r, file)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return parse(data, file)
}

// readLimited reads all of r, up to maxSize: bufio.Scanner would stop at
// a 64 KiB line, and a Procfile has no reason to be larger than this.
func readLimited(r io.Reader, file string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSize {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("larger than %d bytes", maxSize), Err: ErrTooLarge}
	}
	return data, nil
}

func parse(data []byte, file string) ([]Entry, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var entries []Entry
	var errs []error
	seen := map[string]int{}
	for i, raw := range strings.Split(string(data), "\n") {
		lineNo := i + 1
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "//") {
			continue
		}
		e, err := parseLine(trimmed, file, lineNo)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if first, dup := seen[e.Name]; dup {
			errs = append(errs, &ParseError{File: file, Line: lineNo, Err: ErrDuplicate,
				Msg: fmt.Sprintf("duplicate process type %q (first defined on line %d)", e.Name, first)})
			continue
		}
		seen[e.Name] = lineNo
		entries = append(entries, e)
	}
	if len(entries) == 0 && len(errs) == 0 {
		errs = append(errs, &ParseError{File: file, Msg: "no process types defined", Err: ErrNoEntries})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return entries, nil
}

func parseLine(line, file string, lineNo int) (Entry, error) {
	name, command, ok := strings.Cut(line, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrInvalidLine,
			Msg: fmt.Sprintf("invalid line %q (expected \"name: command\")", shorten(line))}
	}
	if !validName(name) {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrInvalidName,
			Msg: fmt.Sprintf("invalid process name %q (use letters, digits, \"-\" and \"_\")", shorten(name))}
	}
	if len(name) > maxNameLength {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrNameTooLong,
			Msg: fmt.Sprintf("process name %q is longer than %d characters", shorten(name), maxNameLength)}
	}
	command = strings.TrimSpace(command)
	if command == "" {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrEmptyCommand,
			Msg: fmt.Sprintf("process %q has an empty command", name)}
	}
	// Dokku refuses these ("comment specified in place of command"), and
	// the shell would run nothing and exit at once.
	if strings.HasPrefix(command, "#") || strings.HasPrefix(command, "//") {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrEmptyCommand,
			Msg: fmt.Sprintf("process %q has a comment in place of a command", name)}
	}
	// Both would pass here and fail only when the shell is started.
	if i := strings.IndexByte(command, 0); i >= 0 {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrNULByte,
			Msg: fmt.Sprintf("process %q has a NUL byte in its command (byte %d), which cannot be passed to /bin/sh", name, i+1)}
	}
	if len(command) > MaxCommandLength {
		return Entry{}, &ParseError{File: file, Line: lineNo, Err: ErrCommandTooLong,
			Msg: fmt.Sprintf("process %q has a command of %d bytes, over the limit of %d (the kernel refuses an argument of 128 KiB)", name, len(command), MaxCommandLength)}
	}
	return Entry{Name: name, Command: command, Line: lineNo}, nil
}

func validName(name string) bool {
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return name != ""
}

// shorten keeps quoted input in messages readable. It cuts on a rune
// boundary so a multi-byte character is never shown as \x escapes.
func shorten(s string) string {
	const limit = 60
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
