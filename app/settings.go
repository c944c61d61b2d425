package app

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tend-run/tend/proc"
)

// Settings are what tend's flags say about running the app, read once from
// the command line: a reload plans with the same ones. Values that can be
// wrong are kept as given and judged where they are used, so that a flag
// nothing uses (--cron-timeout in an app without cron) is no error.
type Settings struct {
	// Formation is -m ("web=2,worker=1,all=0"). Empty: app.json's
	// formation outside a platform container, else every type once.
	Formation string
	// Port is -p, the base port, when PortSet; else $PORT, else 5000.
	Port    int
	PortSet bool
	// StopSignal is --stop-signal, per type ("worker=QUIT,web=TERM").
	StopSignal string
	// SignalLeader and CanDie are --signal-leader's and --can-die's
	// comma-separated types.
	SignalLeader, CanDie string
	// CronTimeouts are --cron-timeout's values: DURATION for every job or
	// ID=DURATION for one.
	CronTimeouts []string
	// Cron runs app.json's cron jobs even where DYNO is set (--cron);
	// NoCron runs none (--no-cron).
	Cron, NoCron bool
	// LockDir is --lock-dir; empty for the private per-user directory.
	LockDir string
	// LockURL is --lock-url: a database whose locks replace the lock dir.
	LockURL string
	// Exclude is -x: types not to run, comma-separated.
	Exclude string
	// TTY is --tty: types run on a pseudo-terminal, for tend attach.
	TTY string
	// After is --after: "worker=web,clock=web" starts a type once every
	// instance of the types it names is ready.
	After string
	// Restart is --restart: "" none, "all" or a boolean true every type,
	// else comma-separated types. MaxMemory and MaxAge are --max-memory's
	// and --max-age's TYPE=VALUE lists (see Lifecycles).
	Restart, MaxMemory, MaxAge string

	// CronRetries are --cron-retry's values: N for every job or ID=N.
	CronRetries []string
	// CronRetryDelay is the hidden --cron-retry-delay (0: 10 s).
	CronRetryDelay time.Duration
	// CronLogSize is --cron-log-size as given ("": the default).
	CronLogSize string
	// CronPings are --cron-ping's values: URL for every job or ID=URL.
	CronPings []string
	// CronCatchUp is --cron-catch-up as given ("": off).
	CronCatchUp string
	// History is --history, the run history file ("": memory only).
	History string
}

// UsageError is a flag value tend cannot use: tend exits with status 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf is a UsageError with the message fmt.Errorf makes.
func UsageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// StopSignals reads --stop-signal: the stop signal of each type named.
func (s Settings) StopSignals() (map[string]syscall.Signal, error) {
	settings, err := ParsePerType(s.StopSignal)
	if err != nil {
		return nil, UsageErrorf("--stop-signal: %w", err)
	}
	out := map[string]syscall.Signal{}
	for typ, name := range settings {
		sig, err := proc.ParseSignal(name)
		if err != nil {
			return nil, UsageErrorf("--stop-signal %s: %w", typ, err)
		}
		out[typ] = sig
	}
	return out, nil
}

// TypeSet reads a comma-separated list of process types.
func TypeSet(list string) map[string]bool {
	out := map[string]bool{}
	for t := range strings.SplitSeq(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out[t] = true
		}
	}
	return out
}

// MaxDuration bounds every duration option. More than a day is a typo, and
// bigger numbers of seconds overflow time.Duration: -t 1e12 became a
// negative grace, and everything was SIGKILLed at once.
const MaxDuration = 24 * time.Hour

// ParseDuration reads a duration option: a Go duration, or with seconds
// also a plain number of seconds. It must be finite and 0 to MaxDuration.
func ParseDuration(s string, seconds bool) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); seconds && err == nil {
		if math.IsNaN(n) || n < 0 || n > MaxDuration.Seconds() {
			return 0, fmt.Errorf("want 0 to %d seconds (%v)", int(MaxDuration.Seconds()), MaxDuration)
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil && seconds:
		return 0, errors.New("want seconds or a duration such as 90s")
	case err != nil:
		return 0, errors.New("want a duration such as 10m")
	case d < 0 || d > MaxDuration:
		return 0, fmt.Errorf("want a duration from 0 to %v", MaxDuration)
	}
	return d, nil
}

// MaxLogBuffer bounds --log-buffer: it is kept for every process.
const MaxLogBuffer = 1 << 30

// ParseSize reads a size option: bytes, or a number with K, M or G (also
// KB, KiB, …: powers of 1024 all), from 0 to MaxLogBuffer.
func ParseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToUpper(strings.TrimSpace(s[len(num):]))
	mult := map[string]int{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10,
		"M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30}[unit]
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || mult == 0 {
		return 0, errors.New("want a size such as 1MiB, 512KiB or 0")
	}
	if n > MaxLogBuffer/mult {
		return 0, fmt.Errorf("want at most %d bytes (1 GiB)", MaxLogBuffer)
	}
	return n * mult, nil
}

// ParsePerType reads "worker=QUIT,web=TERM" style settings into a map.
func ParsePerType(spec string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range Pairs(spec) {
		if p.Key == "" || p.Value == "" {
			return nil, fmt.Errorf("entry %d is not type=value", p.Entry)
		}
		out[p.Key] = p.Value
	}
	return out, nil
}

// Pair is one entry of a comma-separated "key=value" list: its position
// (from 1, so errors can name an entry without quoting it) and its key and
// value, trimmed; an entry without "=" has an empty value.
type Pair struct {
	Entry      int
	Key, Value string
}

// Pairs splits a list, skipping empty entries.
func Pairs(spec string) []Pair {
	var out []Pair
	entry := 0
	for part := range strings.SplitSeq(spec, ",") {
		entry++
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, Pair{entry, strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
}
