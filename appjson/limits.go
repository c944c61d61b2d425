package appjson

import (
	"errors"
	"fmt"
	"sort"

	"github.com/tend-run/tend/regfile"
)

// MaxSize is the largest app.json Load reads, in bytes. Dokku's app.json
// holds a few scripts, cron entries and a formation, a few KiB; 1 MiB is
// the Procfile's limit too, and keeps `tend check` (and a reload, which
// the supervisor waits for) well under a second (BenchmarkParse1MB).
const MaxSize = 1 << 20

// MaxDepth is the deepest nesting of arrays and objects accepted: the
// limit of encoding/json, with which Dokku decodes app.json, so what Dokku
// reads tend reads. hujson's parser is recursive and has no limit of its
// own: some 700,000 "[" overflow the goroutine stack, a fatal error no
// recover can catch.
const MaxDepth = 10000

// errTooLarge is the problem of an app.json over MaxSize; it wraps
// regfile.ErrTooLarge.
type errTooLarge struct{}

func (errTooLarge) Error() string { return fmt.Sprintf("larger than %d bytes", MaxSize) }
func (errTooLarge) Unwrap() error { return regfile.ErrTooLarge }

// ErrTooDeep is the problem of an app.json nested deeper than MaxDepth.
var ErrTooDeep = errors.New("nested too deeply")

// tooDeep returns the offset of the first "[" or "{" nested deeper than
// MaxDepth, or -1. It skips strings and comments as hujson does; where the
// two disagree on malformed input, hujson reports the syntax error.
func tooDeep(data []byte) int {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '[', '{':
			if depth++; depth > MaxDepth {
				return i
			}
		case ']', '}':
			depth = max(depth-1, 0)
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '/':
			switch {
			case i+1 < len(data) && data[i+1] == '/':
				for i += 2; i < len(data) && data[i] != '\n'; i++ {
				}
			case i+1 < len(data) && data[i+1] == '*':
				for i += 2; i+1 < len(data) && !(data[i] == '*' && data[i+1] == '/'); i++ {
				}
				i++ // onto the "/" of "*/"
			}
		}
	}
	return -1
}

// tooDeepError is the *ParseError of an app.json nested too deeply.
func tooDeepError(path string, data []byte, offset int) *ParseError {
	return &ParseError{File: path, Line: newLines(data).line(offset), Index: -1,
		Err: fmt.Errorf("%w: more than %d levels of arrays and objects", ErrTooDeep, MaxDepth)}
}

// lines finds the line of a byte offset in O(log n): an app.json of many
// entries once took seconds because each entry's line was counted from
// the start of the file.
type lines []int // the offset of every '\n', in order

func newLines(data []byte) lines {
	var nl lines
	for i, c := range data {
		if c == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

// line is the 1-based line holding offset: one more than the newlines
// before it.
func (nl lines) line(offset int) int {
	return sort.SearchInts(nl, offset) + 1
}
