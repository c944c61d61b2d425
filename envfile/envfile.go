// Package envfile builds an app's environment: defaults from .env files,
// overridden by the real process environment (config vars set by the
// platform beat defaults baked into an image).
//
// Each file is parsed on its own with github.com/joho/godotenv (never
// godotenv.Load, which writes tend's own environment and lets the first
// file win), and the results are merged: later files override earlier
// ones, and the real environment overrides every file.
//
// Within a file godotenv v1.5.1's rules apply, exactly:
//   - KEY=value or KEY: value, with an optional "export " prefix; blank
//     lines and lines starting with # are skipped. Keys may hold letters,
//     digits, "_" and "." (blanks inside are kept: "A B=1" sets "A B");
//     anything else is an error.
//   - Unquoted values are trimmed and cut at " #" (a # after a blank);
//     "a#b" keeps its #.
//   - 'single quotes' are literal: no escapes, no expansion.
//   - "double quotes" may span lines; \n and \r become newline and
//     carriage return, \" and \$ their character, and any other \x just x:
//     "\t" is "t", not a tab.
//   - $NAME and ${NAME} in unquoted and double-quoted values expand to the
//     value of NAME as set by an EARLIER line of the SAME file. They never
//     see other files, nor the process environment; an undefined NAME
//     expands to "". NAME is the longest run of A-Z, 0-9 and "_": lowercase
//     names ($home, ${home}) stay literal, and $Path expands $P then "ath".
//     \$NAME stays literal; so does $(...).
//
// tend adds one rule: a line godotenv would read with an empty key ("=x",
// or a last line without "=") is an error rather than a variable named "".
//
// Values are secrets: no message of this package contains one.
package envfile

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/joho/godotenv"

	"github.com/tend-run/tend/regfile"
)

// Environment is the Source of variables from the real environment.
const Environment = "environment"

// Var is one variable and where its value came from.
type Var struct {
	Key, Value string
	// Source is the file the value came from, or Environment.
	Source string
}

// Env is a merged environment, built by Merge. It is not changed after
// Merge returns, so concurrent reads are safe. Its values are secrets: log
// keys and sources, never values.
type Env struct {
	vars map[string]Var
}

// MaxSize is the largest env file read, in bytes. Every variable goes
// into each child's environment, and Linux refuses an execve(2) whose
// arguments and environment together pass ARG_MAX (a quarter of the stack
// limit, usually 2 MiB), so a larger .env could never start a process;
// and a .env pointing at a device (/dev/urandom) must not be read for
// ever.
const MaxSize = 1 << 20

// maxVarLength is the longest "KEY=value" a child can be given: Linux
// refuses one string of MAX_ARG_STRLEN (128 KiB, its NUL included).
const maxVarLength = 128<<10 - 1

// The problems of an env file, wrapped by FileError, for errors.Is.
var (
	// ErrSyntax: a line godotenv cannot read.
	ErrSyntax = errors.New("env file syntax error")
	// ErrInvalidValue: a value no process environment can hold (a NUL
	// byte, or longer than the kernel passes).
	ErrInvalidValue = errors.New("env value cannot be passed to a process")
)

// FileError is a malformed env file: "file:line: problem". The problem
// never quotes a value, at most one offending character.
type FileError struct {
	File string
	// Line is 1-based, 0 when the line could not be found or the problem
	// is the whole file's.
	Line int
	Msg  string
	// Err is what Unwrap returns; nil means ErrSyntax.
	Err error
}

// Error returns "file:line: problem", or "file: problem" when Line is 0.
func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap returns Err: ErrSyntax, ErrInvalidValue or regfile.ErrTooLarge.
func (e *FileError) Unwrap() error {
	if e.Err == nil {
		return ErrSyntax
	}
	return e.Err
}

// ReadFile parses one env file into its variables. A file that cannot be
// read gives an error naming it that wraps the os error (errors.Is
// fs.ErrNotExist holds for a missing file), or regfile.ErrNotRegular for
// anything but a regular file (or a symlink to one): a named pipe is
// refused rather than waited on. A file over MaxSize, a malformed one or
// one with a value no process can be given is a *FileError.
func ReadFile(path string) (map[string]string, error) {
	data, err := regfile.ReadFile(path, MaxSize)
	if errors.Is(err, regfile.ErrTooLarge) {
		return nil, &FileError{File: path, Msg: fmt.Sprintf("larger than %d bytes", MaxSize), Err: regfile.ErrTooLarge}
	}
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	return parse(data, path)
}

// parse is ReadFile on data already read; file names it in errors.
func parse(data []byte, file string) (map[string]string, error) {
	// godotenv turns CRLF into LF before parsing; do it first so that
	// offsets in its errors match.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		line, msg := explain(data, err)
		return nil, &FileError{File: file, Line: line, Msg: msg}
	}
	if _, ok := vars[""]; ok {
		return nil, &FileError{File: file, Line: emptyKeyLine(data), Msg: msgInvalidLine}
	}
	if err := checkValues(vars, data, file); err != nil {
		return nil, err
	}
	return vars, nil
}

// checkValues refuses values that would pass `tend check` and then make
// every process fail to start: execve(2) cannot pass a NUL byte (Go
// refuses it with EINVAL), nor a variable of 128 KiB (E2BIG). The error
// names the variable, never its value.
func checkValues(vars map[string]string, data []byte, file string) error {
	var errs []*FileError
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		v := vars[k]
		var msg string
		switch {
		case strings.IndexByte(v, 0) >= 0:
			msg = fmt.Sprintf("the value of %s has a NUL byte, which no process environment can hold", k)
		case len(k)+1+len(v) > maxVarLength:
			msg = fmt.Sprintf("the value of %s is %d bytes: a variable of 128 KiB or more cannot be passed to a process", k, len(v))
		default:
			continue
		}
		errs = append(errs, &FileError{File: file, Line: keyLine(data, k), Msg: msg, Err: ErrInvalidValue})
	}
	slices.SortStableFunc(errs, func(a, b *FileError) int { return a.Line - b.Line })
	joined := make([]error, len(errs))
	for i, e := range errs {
		joined[i] = e
	}
	return errors.Join(joined...)
}

// Merge reads files in order (later ones override earlier ones), then lets
// environ ("K=V" pairs, as os.Environ returns them) override them all,
// even with an empty value. environ entries without "=" or with an empty
// key are skipped. Every file must exist and parse: otherwise Merge
// returns nil and every file's error joined (errors.Join), in file order.
func Merge(files []string, environ []string) (*Env, error) {
	e := &Env{vars: map[string]Var{}}
	var errs []error
	for _, f := range files {
		vars, err := ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for k, v := range vars {
			e.vars[k] = Var{Key: k, Value: v, Source: f}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" {
			e.vars[k] = Var{Key: k, Value: v, Source: Environment}
		}
	}
	return e, nil
}

// Vars returns a new slice of the variables, sorted by key.
func (e *Env) Vars() []Var {
	out := make([]Var, 0, len(e.vars))
	for _, v := range e.vars {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Environ returns a new slice of "K=V" pairs sorted by key, ready for
// exec.Cmd.Env.
func (e *Env) Environ() []string {
	vars := e.Vars()
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = v.Key + "=" + v.Value
	}
	return out
}

// Get returns the value of key and whether it is set (possibly to "").
func (e *Env) Get(key string) (string, bool) {
	v, ok := e.vars[key]
	return v.Value, ok
}

// FromFiles counts the variables whose value came from a file and was not
// overridden by the real environment (for summaries such as tend check's).
func (e *Env) FromFiles() int {
	n := 0
	for _, v := range e.vars {
		if v.Source != Environment {
			n++
		}
	}
	return n
}
