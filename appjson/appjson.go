// Package appjson loads the cron section and the formation of a Dokku
// app.json. It accepts what Dokku accepts: JSON with comments and trailing
// commas (parsed with github.com/tailscale/hujson, as Dokku does), cron
// entries with command, schedule, concurrency_policy and maintenance, and
// schedules read by github.com/robfig/cron/v3 with Dokku's parser options.
package appjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tailscale/hujson"

	"github.com/tend-run/tend/regfile"
	"github.com/tend-run/tend/schedule"
)

// Policy is Dokku's concurrency_policy: what happens when a run is due
// while the previous one still runs.
type Policy string

// The policies. Allow is Dokku's default.
const (
	PolicyAllow   Policy = "allow"
	PolicyForbid  Policy = "forbid"
	PolicyReplace Policy = "replace"
)

// Job is one valid cron entry.
type Job struct {
	// ID is a stable short ID: the first 8 hex characters of the sha256
	// of schedule, "\x00" and command, so reordering app.json keeps it
	// (longer in the unlikely case two entries share those 8). IDs are
	// unique within a File.
	ID string
	// Index is the entry's position in the cron array (counting invalid
	// and duplicate entries); Line is the 1-based line where it starts.
	Index, Line int
	// Command is the command as written, never blank.
	Command string
	// Schedule is the parsed schedule, never nil.
	Schedule *schedule.Schedule
	// Policy is the concurrency_policy, PolicyAllow when absent.
	Policy Policy
	// Maintenance is true for an entry Dokku keeps out of its crontab.
	Maintenance bool
}

// File is a parsed app.json.
type File struct {
	// Path is the name given to Parse or Load, used in every message.
	Path string
	// Jobs are the cron entries in file order; of entries with the same
	// schedule and command only the first is kept.
	Jobs []Job
	// Formation maps the process types listed under "formation" to their
	// quantity; nil when app.json has no formation. Types listed without
	// a quantity are left out (Dokku keeps their default).
	Formation map[string]int
	// Warnings are problems Dokku lets pass, each formatted as
	// `app.json:LINE: cron[i] ("command"): ...`.
	Warnings []string
	// Healthchecks are the checks of "healthchecks" per process type, in
	// file order.
	Healthchecks map[string][]Healthcheck
	// DokkuWarnings, formatted alike, are places where Dokku's host cron
	// (which runs the jobs when tend is not their scheduler) would behave
	// differently: of interest to people who deploy to Dokku.
	DokkuWarnings []string
}

// Options configures Parse and Load.
type Options struct {
	// Location is the zone of schedules without a CRON_TZ= or TZ= prefix,
	// usually the app's TZ; nil means UTC.
	Location *time.Location
}

// ParseError is one problem in app.json. Parse returns every problem
// found, each a *ParseError, joined with errors.Join.
type ParseError struct {
	// File is the path given to Parse.
	File string
	// Line is 1-based; Column is 1-based for JSON syntax errors and 0
	// otherwise (the message then names the entry).
	Line, Column int
	// Index is the cron entry's index, or -1 when the problem is not
	// about one entry.
	Index int
	// Entry, when not "", names what the problem is about in place of a
	// cron entry (healthchecks.web[0]).
	Entry string
	// Command is the entry's command when it has one.
	Command string
	// Err is the problem itself.
	Err error
}

// Error formats the problem as "FILE:LINE[:COLUMN]: [cron[i] ("cmd"): ]ERR".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Entry != "" {
		b.WriteString(e.Entry + ": ")
	}
	if e.Index >= 0 {
		fmt.Fprintf(&b, "cron[%d]", e.Index)
		if e.Command != "" {
			fmt.Fprintf(&b, " (%q)", shorten(e.Command))
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns Err, for errors.Is and errors.As.
func (e *ParseError) Unwrap() error { return e.Err }

// Load reads and parses the app.json at path. A missing file is an error
// wrapping fs.ErrNotExist: the caller decides whether that is fine. Only a
// regular file (or a symlink to one) of at most MaxSize bytes is read:
// anything else is an error wrapping regfile.ErrNotRegular or
// regfile.ErrTooLarge, never a wait on a named pipe or a device.
func Load(path string, opts Options) (*File, error) {
	data, err := regfile.ReadFile(path, MaxSize)
	if errors.Is(err, regfile.ErrTooLarge) {
		return nil, &ParseError{File: path, Index: -1, Err: errTooLarge{}}
	}
	if err != nil {
		return nil, fmt.Errorf("read app.json: %w", err)
	}
	return Parse(data, path, opts)
}

var hujsonPosition = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^hujson: line (\d+), column (\d+): (.*)$`) })

// syntaxError turns hujson's error, which already counts line and column
// (1-based) from the byte offset, into a *ParseError.
func syntaxError(path string, err error) *ParseError {
	pe := &ParseError{File: path, Index: -1, Err: err}
	if m := hujsonPosition().FindStringSubmatch(err.Error()); m != nil {
		pe.Line, _ = strconv.Atoi(m[1])
		pe.Column, _ = strconv.Atoi(m[2])
		pe.Err = errors.New(m[3])
	}
	return pe
}

// Parse parses app.json data as Dokku does (JSON with comments and
// trailing commas, keys matched as encoding/json matches them); path names
// the file in messages. It returns every problem at once, joined, each a
// *ParseError; nothing is returned with them. Blank data and "null" are an
// app.json with nothing in it.
func Parse(data []byte, path string, opts Options) (*File, error) {
	f := &File{Path: path}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil // Dokku treats an empty app.json as none
	}
	if off := tooDeep(data); off >= 0 {
		return nil, tooDeepError(path, data, off)
	}
	root, err := hujson.Parse(data)
	if err != nil {
		return nil, syntaxError(path, err)
	}
	p := &parser{file: f, lines: newLines(data), opts: opts}
	if isNull(&root) {
		return f, nil // encoding/json, as Dokku uses it, reads null as {}
	}
	obj, ok := root.Value.(*hujson.Object)
	if !ok {
		return nil, p.errorAt(root.StartOffset, -1, "", errors.New("app.json must be a JSON object"))
	}
	// encoding/json matches keys case-insensitively and lets a repeated
	// key win: the last "cron" is the one Dokku reads, and repeated
	// "formation" objects merge into one map.
	var cron, checks *hujson.Value
	for i := range obj.Members {
		m := &obj.Members[i]
		if isNull(&m.Value) {
			continue // null leaves the field as it was
		}
		switch topKey(memberName(m)) {
		case "cron":
			cron = &m.Value
		case "formation":
			p.formation(&m.Value)
		case "healthchecks":
			checks = &m.Value
		}
	}
	if cron != nil {
		p.cron(cron)
	}
	if checks != nil {
		p.healthchecks(checks)
	}
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return f, nil
}

type parser struct {
	file  *File
	lines lines
	opts  Options
	errs  []error
}

func (p *parser) line(offset int) int { return p.lines.line(offset) }

func (p *parser) errorAt(offset, index int, command string, err error) error {
	return &ParseError{File: p.file.Path, Line: p.line(offset), Index: index, Command: command, Err: err}
}

func (p *parser) warn(offset, index int, command, format string, args ...any) {
	p.file.Warnings = append(p.file.Warnings, p.where(offset, index, command)+fmt.Sprintf(format, args...))
}

// dokkuWarn is warn for what Dokku's host cron would do differently.
func (p *parser) dokkuWarn(offset, index int, command, format string, args ...any) {
	p.file.DokkuWarnings = append(p.file.DokkuWarnings, p.where(offset, index, command)+fmt.Sprintf(format, args...))
}

func (p *parser) where(offset, index int, command string) string {
	where := fmt.Sprintf("%s:%d: ", p.file.Path, p.line(offset))
	if index >= 0 {
		where += fmt.Sprintf("cron[%d] (%q): ", index, shorten(command))
	}
	return where
}

func memberName(m *hujson.ObjectMember) string {
	var name string
	if lit, ok := m.Name.Value.(hujson.Literal); ok {
		_ = json.Unmarshal(lit, &name)
	}
	return name
}

// topKey returns the app.json key encoding/json would read name as
// ("cron", "formation"), or "".
func topKey(name string) string {
	if name == "cron" || name == "formation" || name == "healthchecks" {
		return name
	}
	var k struct {
		Cron         json.RawMessage `json:"cron"`
		Formation    json.RawMessage `json:"formation"`
		Healthchecks json.RawMessage `json:"healthchecks"`
	}
	if json.Unmarshal(fmt.Appendf(nil, "{%q: 0}", name), &k) != nil {
		return ""
	}
	switch {
	case k.Cron != nil:
		return "cron"
	case k.Formation != nil:
		return "formation"
	case k.Healthchecks != nil:
		return "healthchecks"
	}
	return ""
}

func isNull(v *hujson.Value) bool {
	lit, ok := v.Value.(hujson.Literal)
	return ok && string(lit) == "null"
}

// decode unmarshals a hujson value into v (comments removed first).
func decode(v *hujson.Value, into any) error {
	c := v.Clone()
	c.Standardize()
	return json.Unmarshal(c.Pack(), into)
}

// jsonTypeError turns encoding/json's type errors into plain words.
func jsonTypeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("expected %s, found %s", te.Type, te.Value)
	}
	return err
}

func (p *parser) formation(v *hujson.Value) {
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		p.errs = append(p.errs, p.errorAt(v.StartOffset, -1, "", errors.New(`"formation" must be an object such as {"web": {"quantity": 1}}`)))
		return
	}
	if p.file.Formation == nil {
		p.file.Formation = map[string]int{}
	}
	for i := range obj.Members {
		m := &obj.Members[i]
		name := memberName(m)
		var entry struct {
			Quantity *json.Number `json:"quantity"`
		}
		if err := decode(&m.Value, &entry); err != nil {
			p.errs = append(p.errs, p.errorAt(m.Value.StartOffset, -1, "", fmt.Errorf("formation %q: %w", name, jsonTypeError(err))))
			continue
		}
		if entry.Quantity == nil {
			continue // Dokku: a type listed without quantity keeps its default
		}
		n, err := strconv.Atoi(entry.Quantity.String())
		if err != nil || n < 0 {
			p.errs = append(p.errs, p.errorAt(m.Value.StartOffset, -1, "", fmt.Errorf("formation %q: quantity must be a whole number >= 0, found %s", name, entry.Quantity)))
			continue
		}
		p.file.Formation[name] = n
	}
}

// DokkuID is the ID Dokku gives a cron entry: lowercase base36 (as
// github.com/multiformats/go-base36 encodes, a '0' per leading zero byte)
// of "app===command===schedule".
func DokkuID(app, command, schedule string) string {
	return base36Lc([]byte(app + "===" + command + "===" + schedule))
}

// base36Lc encodes b as go-base36's EncodeToStringLc does.
func base36Lc(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	s := ""
	if zeros < len(b) {
		s = new(big.Int).SetBytes(b[zeros:]).Text(36)
	}
	return strings.Repeat("0", zeros) + s
}

// shortID is the job's stable short ID.
func shortID(schedule, command string) string { return longID(schedule, command, 8) }

// longID is the first n (at most 64) hex characters of the job's hash.
func longID(schedule, command string, n int) string {
	sum := sha256.Sum256([]byte(schedule + "\x00" + command))
	return hex.EncodeToString(sum[:])[:min(n, 64)]
}

func shorten(s string) string {
	const limit = 50
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
