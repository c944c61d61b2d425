package linebatch

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/tend-run/tend/lineformat"
	"github.com/tend-run/tend/logbuf"
)

// A line is kept whole up to MaxLine bytes (2 MiB: a 1 MiB JSON record
// and its framing stay one line) and passed on in MaxLine pieces beyond
// that.
const (
	MaxLine = 2 << 20
	// KeepBatch is the batch capacity kept between reads; a batch that grew
	// for one long line is released.
	KeepBatch = 512 << 10
	// keepPending is the capacity of the carried incomplete line kept
	// between reads (the size of one read of a reader that is not a pipe).
	keepPending = 64 << 10
)

// Options says how lines are formatted; one Options is shared by every
// Writer of an output.
type Options struct {
	// Prefix puts "name | " before each line; false passes lines on raw.
	Prefix bool
	// Timestamps puts "15:04:05 " before each name.
	Timestamps bool
	// JSON makes each line one object: time, name, stream, line. It
	// overrides Prefix and Timestamps.
	JSON bool
	// Now is the clock, read once per read (not nil).
	Now func() time.Time
	// KeepTail hands every read to Sink.Tail.
	KeepTail bool
	// Logs hands each write its logbuf.Entry (the log buffers keep it).
	Logs bool
}

// Sink is what a Writer writes to.
type Sink interface {
	// Style returns the prefix width and colour ("" for none) of name; it
	// is asked once per read, and only when lines are prefixed.
	Style(name string) (width int, color string)
	// Tail sees every read's bytes, when Options.KeepTail.
	Tail(name string, data []byte)
	// Write writes b, whole lines, in one write. e is nil unless
	// Options.Logs; the log buffers may keep b and hand a spare back in
	// e.Reuse.
	Write(b []byte, e *logbuf.Entry) error
}

// Writer turns one producer's bytes into formatted lines. It is used by
// one goroutine at a time.
type Writer struct {
	opts    *Options
	sink    Sink
	name    string
	stream  string // the stream's name, for JSON
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
	// log counts the batch's lines and knows its prefix, for the log
	// buffers.
	log logbuf.Entry
}

// New returns a Writer of name's lines on stream (its name, for JSON),
// formatted by opts and written to sink.
func New(name, stream string, opts *Options, sink Sink) *Writer {
	return &Writer{opts: opts, sink: sink, name: name, stream: stream, log: logbuf.Entry{Name: name}}
}

// Err is the first write error (wrapped with the name); after it the
// Writer keeps consuming but writes nothing.
func (lw *Writer) Err() error { return lw.err }

// Batch is the formatted lines not yet written.
func (lw *Writer) Batch() []byte { return lw.batch }

// Entry is the batch's log entry: its name, line count and prefix length.
func (lw *Writer) Entry() *logbuf.Entry { return &lw.log }

// Consume splits data into lines; complete ones go to the batch.
func (lw *Writer) Consume(data []byte) {
	if lw.opts.KeepTail {
		lw.sink.Tail(lw.name, data)
	}
	lw.refreshPrefix()
	lw.tick()
	if !lw.opts.JSON {
		if lw.opts.Prefix {
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
			if cap(lw.pending) > keepPending {
				lw.pending = nil
			}
		} else {
			lw.emit(data[:i])
		}
		data = data[i+1:]
	}
}

// splitPending passes a line longer than MaxLine on in MaxLine pieces. A
// pending line of exactly MaxLine bytes plus a '\r' is kept: the '\r' may
// be the end of "\r\n", which must not become a piece of its own.
func (lw *Writer) splitPending() {
	for len(lw.pending) > MaxLine &&
		(len(lw.pending) > MaxLine+1 || lw.pending[MaxLine] != '\r') {
		lw.appendLine(lw.pending[:MaxLine])
		lw.pending = append(lw.pending[:0], lw.pending[MaxLine:]...)
	}
}

// tick reads the clock once for the lines of one read.
func (lw *Writer) tick() {
	o := lw.opts
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
func (lw *Writer) emit(line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	lw.appendLine(line)
}

// appendLine formats line (a whole line or a piece of a long one, taken
// as is) into the batch.
func (lw *Writer) appendLine(line []byte) {
	lw.log.Lines++
	if lw.opts.JSON {
		lw.batch = lineformat.AppendJSON(lw.batch, lw.jsonTime, lw.name, lw.stream, line)
		return
	}
	b := append(lw.batch, lw.prefixed...)
	b = append(b, line...)
	lw.batch = append(b, '\n')
}

// refreshPrefix recomputes the prefix, once per read rather than once
// per line (names may be re-padded while lines flow).
func (lw *Writer) refreshPrefix() {
	if !lw.opts.Prefix || lw.opts.JSON {
		return
	}
	width, color := lw.sink.Style(lw.name)
	lw.prefix.Set(lw.name, width, color, lw.opts.Timestamps)
	lw.log.Prefix = lw.prefix.Len()
}

// Flush writes the batch with one Sink.Write.
func (lw *Writer) Flush() {
	if len(lw.batch) == 0 {
		return
	}
	next := lw.batch[:0]
	if lw.err == nil {
		var e *logbuf.Entry
		if lw.opts.Logs {
			e = &lw.log
		}
		if err := lw.sink.Write(lw.batch, e); err != nil {
			lw.err = fmt.Errorf("write output of %s: %w", lw.name, err)
		}
		if e != nil {
			next = e.Reuse
		}
	}
	lw.log.Lines = 0
	lw.batch = next
	if cap(lw.batch) > KeepBatch {
		lw.batch = nil
	}
}

// Finish completes a last line without a newline and writes it.
func (lw *Writer) Finish() {
	if len(lw.pending) > 0 {
		lw.emit(lw.pending)
		lw.pending = nil
	}
	lw.Flush()
}
