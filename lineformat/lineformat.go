// Package lineformat is how tend prints one line of a process's output:
// the "[15:04:05 ]name<pad> | " prefix, coloured or not, and the JSON
// object of --log-format json; and how kept lines are turned from one into
// the other for `tend logs`. Pure functions and a small per-name cache, no
// I/O; once warm, nothing on the per-line path allocates.
package lineformat

import (
	"bytes"
	"time"
	"unicode/utf8"
)

// stampLayout is the timestamp of the prefix; timestampLen is its length
// with the space after it.
const (
	stampLayout  = "15:04:05"
	timestampLen = len(stampLayout + " ")
)

// Prefix is the prefix of one name's lines, its pieces cached: Set makes
// them once per read, Append puts them before each line.
type Prefix struct {
	colorOn    []byte // "\x1b[<color>m", or nothing
	namePart   []byte // "name<pad> |[\x1b[0m] "
	timestamps bool
	stamp      int64 // the second stampCache was made for
	stampSet   bool
	stampCache []byte
}

// Set makes the prefix of name padded to width, in the ANSI colour color
// ("": none), with a timestamp when timestamps is set.
func (p *Prefix) Set(name string, width int, color string, timestamps bool) {
	p.timestamps = timestamps
	p.colorOn = p.colorOn[:0]
	if color != "" {
		p.colorOn = append(append(append(p.colorOn, "\x1b["...), color...), 'm')
	}
	b := append(p.namePart[:0], name...)
	for i := len(name); i < width; i++ {
		b = append(b, ' ')
	}
	b = append(b, " |"...)
	if color != "" {
		b = append(b, "\x1b[0m"...)
	}
	p.namePart = append(b, ' ')
}

// Len is the length of the prefix in bytes, timestamp included.
func (p *Prefix) Len() int {
	n := len(p.colorOn) + len(p.namePart)
	if p.timestamps {
		n += timestampLen
	}
	return n
}

// Append appends the prefix of a line printed at now.
func (p *Prefix) Append(b []byte, now time.Time) []byte {
	b = append(b, p.colorOn...)
	if p.timestamps {
		b = append(b, p.timestamp(now)...)
		b = append(b, ' ')
	}
	return append(b, p.namePart...)
}

// timestamp formats the clock once per second, not once per line.
func (p *Prefix) timestamp(now time.Time) []byte {
	if sec := now.Unix(); !p.stampSet || sec != p.stamp {
		p.stamp, p.stampSet = sec, true
		p.stampCache = now.AppendFormat(p.stampCache[:0], stampLayout)
	}
	return p.stampCache
}

// AppendTime appends t as the "time" of a JSON line has it (RFC 3339 with
// nanoseconds).
func AppendTime(b []byte, t time.Time) []byte {
	return t.AppendFormat(b, time.RFC3339Nano)
}

// AppendJSON appends one line as --log-format json prints it:
// {"time":"<stamp>","process":"<name>","stream":"<stream>","line":"<line>"}
// and a newline; stamp is AppendTime's.
func AppendJSON(b, stamp []byte, name, stream string, line []byte) []byte {
	return appendJSON(b, stamp, []byte(name), stream, line)
}

func appendJSON(b, stamp, name []byte, stream string, line []byte) []byte {
	b = append(b, `{"time":"`...)
	b = append(b, stamp...)
	b = append(b, `","process":`...)
	b = AppendJSONString(b, name)
	b = append(b, `,"stream":"`...)
	b = append(b, stream...)
	b = append(b, `","line":`...)
	b = AppendJSONString(b, line)
	return append(b, "}\n"...)
}

// AppendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func AppendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[:size]...)
		}
		s = s[size:]
	}
	return append(b, '"')
}

// AppendLinesJSON appends data's lines (each ending in '\n', after a
// prefix of prefixLen bytes) as AppendJSON prints them, all at time t.
func AppendLinesJSON(dst, data []byte, prefixLen int, t time.Time, name, stream string) []byte {
	stamp := AppendTime(nil, t)
	nameBytes := []byte(name)
	eachLine(data, func(line []byte) {
		text := line[min(prefixLen, len(line)-1) : len(line)-1]
		dst = appendJSON(dst, stamp, nameBytes, stream, text)
	})
	return dst
}

// AppendLinesWithoutColor appends data's lines without the colours of
// their prefixes (the first prefixLen bytes of each line).
func AppendLinesWithoutColor(dst, data []byte, prefixLen int) []byte {
	eachLine(data, func(line []byte) {
		n := min(prefixLen, len(line))
		dst = appendWithoutColor(dst, line[:n])
		dst = append(dst, line[n:]...)
	})
	return dst
}

// eachLine calls f with every line of data, '\n' included.
func eachLine(data []byte, f func(line []byte)) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n') + 1
		if i == 0 {
			i = len(data)
		}
		f(data[:i])
		data = data[i:]
	}
}

// appendWithoutColor appends prefix without its SGR sequences ("\x1b[36m").
func appendWithoutColor(dst, prefix []byte) []byte {
	for len(prefix) > 0 {
		i := bytes.IndexByte(prefix, 0x1b)
		if i < 0 {
			return append(dst, prefix...)
		}
		dst = append(dst, prefix[:i]...)
		prefix = prefix[i:]
		end := bytes.IndexByte(prefix, 'm')
		if end < 0 {
			return dst
		}
		prefix = prefix[end+1:]
	}
	return dst
}
