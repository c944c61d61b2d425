package output

import (
	"bytes"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tend-run/tend/lineformat"
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
	// now is read once per batch (a read's lines arrived together), and
	// jsonTime is its RFC 3339 form, so no line pays for the clock.
	now      time.Time
	jsonTime []byte
	prefix   lineformat.Prefix
	// prefixed is the prefix of this read's lines (the clock is read once
	// per read), empty for raw output.
	prefixed []byte
	read     *atomic.Int64 // bytes read, for ordered own lines (nil: none)
	// log counts the batch's lines and knows its prefix, for the log
	// buffers.
	log logbuf.Entry
}

func (m *Mux) newLineWriter(name string, s Stream) *lineWriter {
	return &lineWriter{m: m, name: name, stream: s, log: logbuf.Entry{Name: name}}
}

// consume splits data into lines; complete ones go to the batch.
func (lw *lineWriter) consume(data []byte) {
	if lw.m.opts.KeepTail {
		lw.m.keepTail(lw.name, data)
	}
	lw.refreshPrefix()
	lw.tick()
	if !lw.m.opts.JSON {
		if lw.m.opts.Prefix {
			lw.prefixed = lw.prefix.Append(lw.prefixed[:0], lw.now)
		}
		// Sized once per read: the appends below never grow the batch.
		lines := bytes.Count(data, []byte{'\n'})
		lw.batch = slices.Grow(lw.batch, len(lw.pending)+len(data)+lines*len(lw.prefixed))
	}
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
		lw.jsonTime = lineformat.AppendTime(lw.jsonTime[:0], lw.now)
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
		lw.batch = lineformat.AppendJSON(lw.batch, lw.jsonTime, lw.name, lw.stream.String(), line)
		return
	}
	b := append(lw.batch, lw.prefixed...)
	b = append(b, line...)
	lw.batch = append(b, '\n')
}

// refreshPrefix recomputes the prefix, once per read rather than once
// per line (names may be re-padded by SetNames).
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
	lw.prefix.Set(lw.name, width, color, m.opts.Timestamps)
	lw.log.Prefix = lw.prefix.Len()
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
