package envfile

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/joho/godotenv"
)

// msgInvalidLine is the problem of a line that is not KEY=value at all.
const msgInvalidLine = "invalid line (expected KEY=value)"

// explain turns godotenv's error for data into a line number and a message
// that holds no part of the file but one offending character: godotenv's
// own text has no line number and quotes the rest of the file, values
// included. data is the file with CRLF already turned into LF, as
// godotenv parses it.
func explain(data []byte, err error) (line int, msg string) {
	text := err.Error()
	switch {
	case strings.HasPrefix(text, "unexpected character "):
		if line, msg, ok := explainKeyError(data, text); ok {
			return line, msg
		}
	case strings.HasPrefix(text, "unterminated quoted value "):
		snippet := strings.TrimPrefix(text, "unterminated quoted value ")
		return unterminatedLine(data, snippet), "unterminated quoted value"
	}
	return failingLine(data), "invalid syntax"
}

// explainKeyError handles `unexpected character "c" in variable name near
// "rest of file"`. The "near" text is the statement godotenv was reading
// through to the end of the file, so its length gives its offset; the bad
// character is found again here because godotenv prints a byte as a rune
// (the second byte of "é" shows as "©").
func explainKeyError(data []byte, text string) (int, string, bool) {
	i := strings.LastIndex(text, ` in variable name near "`)
	if i < 0 {
		return 0, "", false
	}
	near, err := strconv.Unquote(text[i+len(" in variable name near "):])
	if err != nil || !bytes.HasSuffix(data, []byte(near)) {
		return 0, "", false
	}
	start := len(data) - len(near)
	line := lineAt(data, start)
	bad := badKeyByte(near)
	if bad < 0 {
		return 0, "", false
	}
	if near[bad] != '\n' {
		c := runeAround(near, bad)
		return lineAt(data, start+bad), fmt.Sprintf("unexpected character %q in variable name", c), true
	}
	// A statement that starts after other text on its line follows a
	// quoted value: `A="x" junk`.
	lineStart := bytes.LastIndexByte(data[:start], '\n') + 1
	if len(bytes.TrimFunc(data[lineStart:start], unicode.IsSpace)) > 0 {
		return line, "unexpected text after a quoted value", true
	}
	return line, msgInvalidLine, true
}

// runeAround returns the character holding byte i of s: godotenv may stop
// inside a multi-byte one, which is shown whole. A byte that is not part
// of valid UTF-8 is returned alone.
func runeAround(s string, i int) string {
	for j := i; j >= 0 && j > i-utf8.UTFMax; j-- {
		if !utf8.RuneStart(s[j]) {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if r != utf8.RuneError && j+size > i {
			return s[j : j+size]
		}
		break
	}
	return s[i : i+1]
}

// badKeyByte repeats godotenv's key scan (locateKeyName, v1.5.1) and
// returns the offset of the byte it stops on, or -1.
func badKeyByte(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=' || c == ':':
			return -1
		case c == '_' || c == '.' || isSpace(rune(c)):
		case unicode.IsLetter(rune(c)) || unicode.IsNumber(rune(c)):
		default:
			return i
		}
	}
	return -1
}

// isSpace is godotenv's notion of blank within a line.
func isSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// unterminatedLine finds the quote godotenv found unterminated. Its error
// quotes the value from the opening quote to the end of that line; the
// opening quote is the first place with that text after which no closing
// quote (one not preceded by a backslash) follows. Whether one follows is
// the same question for every candidate, answered once from the last
// closing quote: asking it per candidate was quadratic, minutes for a
// 1 MiB file of escaped quotes.
func unterminatedLine(data []byte, snippet string) int {
	if snippet == "" {
		return failingLine(data)
	}
	quote := snippet[0]
	lastClosing := -1 // godotenv's extractVarValue: a quote not after '\'
	for i := len(data) - 1; i >= 1; i-- {
		if data[i] == quote && data[i-1] != '\\' {
			lastClosing = i
			break
		}
	}
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], []byte(snippet))
		if i < 0 {
			break
		}
		p := off + i
		end := p + len(snippet)
		if (end == len(data) || data[end] == '\n') && lastClosing <= p {
			return lineAt(data, p)
		}
		off = p + 1
	}
	return failingLine(data)
}

// maxLineSearch and maxSearchBytes bound failingLine's quadratic search:
// at most 2000 lines, and at most 16 MiB parsed in all.
const (
	maxLineSearch  = 2000
	maxSearchBytes = 16 << 20
)

// failingLine is the fallback for errors not explained above: the first
// line from which every longer prefix of the file fails to parse (a
// prefix that ends inside a multi-line quoted value fails while the whole
// file may be fine). It returns 0 for files too long to search.
func failingLine(data []byte) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxLineSearch || len(lines)*len(data) > maxSearchBytes {
		return 0
	}
	line := 0
	for i := len(lines); i >= 1; i-- {
		if _, err := godotenv.UnmarshalBytes(bytes.Join(lines[:i], nil)); err == nil {
			break
		}
		line = i
	}
	return line
}

// keyLine finds the line that gave key its value: the last one whose
// statement starts with key (after an optional "export") and "=" or ":",
// as godotenv lets a later line win. It returns 0 if there is none.
func keyLine(data []byte, key string) int {
	line := 0
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimLeftFunc(l, isSpace)
		if rest, ok := strings.CutPrefix(t, "export"); ok && rest != "" && isSpace(rune(rest[0])) {
			t = strings.TrimLeftFunc(rest, isSpace)
		}
		if rest, ok := strings.CutPrefix(t, key); ok {
			if rest = strings.TrimLeftFunc(rest, isSpace); strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ":") {
				line = i + 1
			}
		}
	}
	return line
}

// emptyKeyLine finds the statement godotenv read with an empty key: a line
// starting with "=" or ":", or else a last line with no "=" (godotenv
// takes "foo" at the very end of a file as the value of "").
func emptyKeyLine(data []byte) int {
	lines := strings.Split(string(data), "\n")
	last := 0
	for i, l := range lines {
		t := strings.TrimLeftFunc(l, isSpace)
		if rest, ok := strings.CutPrefix(t, "export"); ok && rest != "" && isSpace(rune(rest[0])) {
			t = strings.TrimLeftFunc(rest, isSpace)
		}
		if strings.HasPrefix(t, "=") || strings.HasPrefix(t, ":") {
			return i + 1
		}
		if t != "" && !strings.HasPrefix(t, "#") {
			last = i + 1
		}
	}
	return last
}
