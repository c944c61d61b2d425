package output

import (
	"bytes"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tend-run/tend/logbuf"
)

// lineWriter turns one producer's bytes into prefixed lines.
type lineWriter struct {
	m       *Mux
	name    string
	stream  Stream
	pending []byte // an incomplete line carried between reads
	batch   []byte // formatted lines waiting for the next write
	err     error
	stamp   int64 // the second tsCache was made for
	tsCache []byte
	// now is read once per batch (a read's lines arrived together), and
	// jsonTime is its RFC 3339 form, so no line pays for the clock.
	now      time.Time
	jsonTime []byte
	// colorOn and namePart are the cached pieces of the prefix.
	colorOn  []byte
	namePart []byte
	// log counts the batch's lines and knows its prefix, for the log
	// buffers.
	log logbuf.Entry
}

func (m *Mux) newLineWriter(name string, s Stream) *lineWriter {
	return &lineWriter{m: m, name: name, stream: s, stamp: -1, log: logbuf.Entry{Name: name}}
}

// consume splits data into lines; complete ones go to the batch.
func (lw *lineWriter) consume(data []byte) {
	if lw.m.opts.KeepTail {
		lw.m.keepTail(lw.name, data)
	}
	lw.refreshPrefix()
	lw.tick()
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lw.pending = append(lw.pending, data...)
			lw.splitPending()
			return
		}
		if len(lw.pending) > 0 {
			lw.pending = append(lw.pending, data[:i]...)
			lw.splitPending()
			lw.emit(lw.pending)
			lw.pending = lw.pending[:0]
			if cap(lw.pending) > readSize {
				lw.pending = nil
			}
		} else {
			lw.emit(data[:i])
		}
		data = data[i+1:]
	}
}

// splitPending passes a line longer than maxLine on in maxLine pieces. A
// pending line of exactly maxLine bytes plus a '\r' is kept: the '\r' may
// be the end of "\r\n", which must not become a piece of its own.
func (lw *lineWriter) splitPending() {
	for len(lw.pending) > maxLine &&
		(len(lw.pending) > maxLine+1 || lw.pending[maxLine] != '\r') {
		lw.appendLine(lw.pending[:maxLine])
		lw.pending = append(lw.pending[:0], lw.pending[maxLine:]...)
	}
}

// tick reads the clock once for the lines of one read.
func (lw *lineWriter) tick() {
	o := &lw.m.opts
	if !o.JSON && !o.Timestamps {
		return
	}
	lw.now = o.Now()
	if o.JSON {
		lw.jsonTime = lw.now.AppendFormat(lw.jsonTime[:0], time.RFC3339Nano)
	}
}

// emit formats one complete line into the batch; the '\r' of a "\r\n"
// ending is dropped.
func (lw *lineWriter) emit(line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	lw.appendLine(line)
}

// appendLine formats line (a whole line or a piece of a long one, taken
// as is) into the batch.
func (lw *lineWriter) appendLine(line []byte) {
	o := &lw.m.opts
	lw.log.Lines++
	if o.JSON {
		lw.batch = lw.appendJSON(lw.batch, line)
		return
	}
	if o.Prefix {
		lw.batch = lw.appendPrefix(lw.batch)
	}
	lw.batch = append(lw.batch, line...)
	lw.batch = append(lw.batch, '\n')
}

// refreshPrefix recomputes the name part of the prefix, once per read
// rather than once per line (names may be re-padded by SetNames).
func (lw *lineWriter) refreshPrefix() {
	m := lw.m
	if !m.opts.Prefix || m.opts.JSON {
		return
	}
	m.mu.Lock()
	width := m.width
	color := ""
	if m.opts.Color {
		color = m.colorLocked(lw.name)
	}
	m.mu.Unlock()
	lw.colorOn = lw.colorOn[:0]
	if color != "" {
		lw.colorOn = append(append(append(lw.colorOn, "\x1b["...), color...), 'm')
	}
	b := append(lw.namePart[:0], lw.name...)
	for i := len(lw.name); i < width; i++ {
		b = append(b, ' ')
	}
	b = append(b, " |"...)
	if color != "" {
		b = append(b, "\x1b[0m"...)
	}
	lw.namePart = append(b, ' ')
	lw.log.Prefix = len(lw.colorOn) + len(lw.namePart)
	if m.opts.Timestamps {
		lw.log.Prefix += len("15:04:05 ")
	}
}

// appendPrefix appends "[15:04:05 ]name<pad> | ", coloured when asked.
func (lw *lineWriter) appendPrefix(b []byte) []byte {
	b = append(b, lw.colorOn...)
	if lw.m.opts.Timestamps {
		b = append(b, lw.timestamp()...)
		b = append(b, ' ')
	}
	return append(b, lw.namePart...)
}

// timestamp formats the clock once per second, not once per line.
func (lw *lineWriter) timestamp() []byte {
	if sec := lw.now.Unix(); sec != lw.stamp {
		lw.stamp = sec
		lw.tsCache = lw.now.AppendFormat(lw.tsCache[:0], "15:04:05")
	}
	return lw.tsCache
}

func (lw *lineWriter) appendJSON(b, line []byte) []byte {
	b = append(b, `{"time":`...)
	b = append(b, '"')
	b = append(b, lw.jsonTime...)
	b = append(b, '"')
	b = append(b, `,"process":`...)
	b = appendJSONString(b, []byte(lw.name))
	b = append(b, `,"stream":"`...)
	b = append(b, lw.stream.String()...)
	b = append(b, `","line":`...)
	b = appendJSONString(b, line)
	return append(b, "}\n"...)
}

// appendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b, s []byte) []byte {
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

// flush writes the batch with one Write under the Mux's write lock.
func (lw *lineWriter) flush() {
	if len(lw.batch) == 0 {
		return
	}
	next := lw.batch[:0]
	if lw.err == nil {
		var e *logbuf.Entry
		if lw.m.logs != nil {
			e = &lw.log
		}
		if err := lw.m.write(lw.stream, lw.batch, e); err != nil {
			lw.err = fmt.Errorf("write output of %s: %w", lw.name, err)
		}
		if e != nil {
			next = e.Reuse
		}
	}
	lw.log.Lines = 0
	lw.batch = next
	if cap(lw.batch) > keepBatch {
		lw.batch = nil
	}
}

// finish completes a last line without a newline and writes it.
func (lw *lineWriter) finish() {
	if len(lw.pending) > 0 {
		lw.emit(lw.pending)
		lw.pending = nil
	}
	lw.flush()
}
