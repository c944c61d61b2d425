package formation

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tend-run/tend/app"
)

// Lifecycle is what --restart, --max-memory and --max-age say about one
// process type.
type Lifecycle struct {
	// Restart: its instances are started again when they exit.
	Restart bool
	// MaxMemory recycles an instance whose process group holds more
	// resident memory, in bytes (0: no limit).
	MaxMemory int64
	// MaxAge recycles an instance that has run this long (0: never).
	MaxAge time.Duration
}

// Lifecycles reads --restart, --max-memory and --max-age for a's types.
// Every type named must be in the Procfile; sizes and durations must be
// positive. Errors name the entry by its position, never its text (a
// misplaced secret in TEND_RESTART stays unprinted), and list the types.
func Lifecycles(s app.Settings, a *app.App) (map[string]Lifecycle, error) {
	restart, err := restartedTypes(a, s.Restart)
	if err != nil {
		return nil, err
	}
	out := map[string]Lifecycle{}
	for _, p := range a.Processes {
		if restart == nil || restart[p.Name] {
			out[p.Name] = Lifecycle{Restart: true}
		}
	}
	err = readPerType(a, "--max-memory", "size", s.MaxMemory, func(typ, value string) error {
		n, err := ParseMemory(value)
		l := out[typ]
		l.MaxMemory = n
		out[typ] = l
		return err
	})
	if err != nil {
		return nil, err
	}
	err = readPerType(a, "--max-age", "duration", s.MaxAge, func(typ, value string) error {
		d, err := parseAge(value)
		l := out[typ]
		l.MaxAge = d
		out[typ] = l
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// restartedTypes reads --restart (see RestartTypes) and checks that every
// type it names is one of a's.
func restartedTypes(a *app.App, v string) (map[string]bool, error) {
	restart, err := RestartTypes(v)
	if err != nil || len(restart) == 0 {
		return restart, err // all, or nothing (--restart=false): no type names to check
	}
	entry := 0
	for t := range strings.SplitSeq(v, ",") {
		entry++
		if t = strings.TrimSpace(t); t != "" {
			if err := unknownType(a, "--restart", entry, t); err != nil {
				return nil, err
			}
		}
	}
	return restart, nil
}

// readPerType reads flag's TYPE=VALUE list (value being a what), giving
// each value to set; an error from set is the value's.
func readPerType(a *app.App, flag, what, list string, set func(typ, value string) error) error {
	for _, p := range app.Pairs(list) {
		if p.Key == "" || p.Value == "" {
			return app.UsageErrorf("%s: entry %d is not type=%s", flag, p.Entry, what)
		}
		if err := unknownType(a, flag, p.Entry, p.Key); err != nil {
			return err
		}
		if err := set(p.Key, p.Value); err != nil {
			return app.UsageErrorf("%s %s: %w", flag, p.Key, err)
		}
	}
	return nil
}

// unknownType is the error for entry of flag naming typ when typ is not
// one of a's long-running types (release is not), else nil.
func unknownType(a *app.App, flag string, entry int, typ string) error {
	if _, ok := a.Process(typ); ok && typ != app.ReleaseType {
		return nil
	}
	var types []string
	for _, p := range a.Processes {
		if p.Name != app.ReleaseType {
			types = append(types, p.Name)
		}
	}
	return app.UsageErrorf("%s: entry %d is not a process type of %s (its types: %s)", flag, entry, a.ProcfilePath, strings.Join(types, ", "))
}

// RestartTypes reads --restart: "" restarts nothing (empty map), a boolean
// true ("1", "true", "all") every type (nil), false nothing, else the
// comma-separated types.
func RestartTypes(v string) (map[string]bool, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return map[string]bool{}, nil
	}
	if strings.EqualFold(v, "all") {
		return nil, nil
	}
	if b, err := strconv.ParseBool(v); err == nil {
		if b {
			return nil, nil
		}
		return map[string]bool{}, nil
	}
	types := app.TypeSet(v)
	if types["all"] {
		return nil, nil
	}
	entry := 0
	for t := range strings.SplitSeq(v, ",") {
		entry++
		if t = strings.TrimSpace(t); t != "" && !validTypeName(t) {
			return nil, app.UsageErrorf("--restart: entry %d is not a process type (want TYPES, comma-separated, or all)", entry)
		}
	}
	return types, nil
}

func validTypeName(t string) bool {
	return t != "" && !strings.ContainsFunc(t, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
}

// MaxMemory bounds --max-memory: 1 TiB.
const MaxMemory = 1 << 40

// ParseMemory reads a memory size: a number (a fraction allowed) with K,
// M, G or T (also KB, KiB, …: powers of 1024 all), or plain bytes; more
// than 0 and at most MaxMemory.
func ParseMemory(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	unit := strings.ToUpper(strings.TrimSpace(s[len(num):]))
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10,
		"M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
		"T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}[unit]
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, errors.New("want a size such as 512M or 2G")
	}
	bytes := n * mult
	if bytes < 1<<20 || bytes > MaxMemory {
		return 0, errors.New("want a size from 1M to 1T")
	}
	return int64(bytes), nil
}

// parseAge reads a --max-age duration: a Go duration, or seconds, from 1 s
// (a shorter one would recycle without pause) to a year.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.ParseFloat(s, 64); err != nil && nerr == nil {
		d, err = time.Duration(n*float64(time.Second)), nil
	}
	switch {
	case err != nil:
		return 0, errors.New("want a duration such as 6h or 90m")
	case d < time.Second || d > 365*24*time.Hour:
		return 0, errors.New("want a duration from 1s to 8760h")
	}
	return d, nil
}
