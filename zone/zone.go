// Package zone interprets a TZ value the way the C library does, so that
// cron schedules use the zone the app's own programs see.
//
// glibc accepts, after an optional leading ':', a zone file (an absolute
// path, or a name below TZDIR or the system's zoneinfo directory) and
// otherwise a POSIX rule string such as "JST-9", "UTC0" or
// "EST5EDT,M3.2.0,M11.1.0". Go's time.LoadLocation knows only names, so
// the rest is done here: paths are read as TZif files, and a rule string
// becomes the footer of a minimal TZif file, which Go's time package then
// evaluates for every year (it applies a footer after the last transition,
// and a file without transitions gets one at the beginning of time).
package zone

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrUnknown says a TZ value is neither a zone file nor a rule string.
var ErrUnknown = errors.New("neither a zone name, a zone file nor a POSIX TZ rule")

// maxFile bounds a zone file read: real ones are a few KiB.
const maxFile = 1 << 20

// Load returns the zone a TZ value selects. An empty value (or ":") is UTC,
// as in glibc; tzdir is $TZDIR, searched first for relative names ("" for
// none). Errors never contain the value itself: tend does not print
// environment values.
func Load(tz, tzdir string) (*time.Location, error) {
	name := strings.TrimPrefix(tz, ":")
	if name == "" {
		return time.UTC, nil
	}
	if loc, err := loadFile(name, tzdir); err == nil {
		return loc, nil
	}
	if loc, ok := posixRule(name); ok {
		return loc, nil
	}
	return nil, ErrUnknown
}

// loadFile reads name as glibc's tzfile code does: an absolute path as it
// is, a relative one below TZDIR or the system's zoneinfo directories.
func loadFile(name, tzdir string) (*time.Location, error) {
	if filepath.IsAbs(name) {
		return readTZif(name)
	}
	if tzdir != "" && filepath.IsLocal(name) {
		if loc, err := readTZif(filepath.Join(tzdir, name)); err == nil {
			return loc, nil
		}
	}
	if name == "Local" {
		// time.LoadLocation("Local") is Go's idea of the process's zone,
		// not a file: glibc would look for a file called Local.
		return nil, ErrUnknown
	}
	return time.LoadLocation(name)
}

// readTZif reads a TZif file without blocking on a FIFO or reading an
// endless device.
func readTZif(path string) (*time.Location, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open zone file: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat zone file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("zone file is not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("read zone file: %w", err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("zone file larger than %d bytes", maxFile)
	}
	return time.LoadLocationFromTZData(path, data)
}

// placeholder names the one local time type of the TZif file built for a
// rule string. No valid rule yields this name, so seeing it means Go could
// not evaluate the rule and fell back to the type.
const placeholder = "?"

// posixRule builds a location from a POSIX TZ rule string.
func posixRule(rule string) (*time.Location, bool) {
	if strings.ContainsAny(rule, "\n\x00") {
		return nil, false
	}
	loc, err := time.LoadLocationFromTZData(rule, tzifWithFooter(rule))
	if err != nil {
		return nil, false
	}
	// Go parses the footer lazily; an invalid one leaves the placeholder.
	if name, _ := time.Unix(0, 0).In(loc).Zone(); name == placeholder {
		return nil, false
	}
	return loc, true
}

// tzifWithFooter is a version 2 TZif file (RFC 8536) with no transitions,
// one local time type (the placeholder, UTC) and rule as its footer.
func tzifWithFooter(rule string) []byte {
	abbrev := placeholder + "\x00"
	block := func(b []byte) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbrev))} {
			b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		}
		b = append(b, 0, 0, 0, 0, 0, 0) // utoff 0, isdst 0, abbreviation 0
		return append(b, abbrev...)
	}
	data := block(nil) // the version 1 part, which readers of v2 skip
	data = block(data) // the version 2 part
	return append(append(append(data, '\n'), rule...), '\n')
}
