package linebatch

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/tend-run/tend/logbuf"
)

// The raw path: with --no-prefix (no JSON, so no timestamps either) a
// read's complete lines are written straight from the read buffer, up to
// its last newline, with no copy; the incomplete rest is carried to the
// start of the next read's buffer. Anything else a line needs (a "\r\n"
// ending made "\n", a line longer than the buffer) goes the batch's way.

// raw reports whether lines are passed on as they are.
func (lw *Writer) raw() bool {
	return !lw.opts.Prefix && !lw.opts.JSON
}

// Carry copies the incomplete line carried from the last read to the
// start of buf, for the raw path, and returns its length: the next read
// goes after it. It returns 0 (the line stays only in pending) when lines
// are formatted or the line would take more than half of buf.
func (lw *Writer) Carry(buf []byte) int {
	if !lw.raw() || len(lw.pending) > len(buf)/2 {
		return 0
	}
	return copy(buf, lw.pending)
}

// ConsumeAndFlush passes one read on: data is the pooled read buffer's
// filled part, whose first off bytes are a copy of pending (see Carry).
// It returns the buffer to give back to the pool: data, or, when the log
// buffers kept data, the spare they handed back (nil if none).
func (lw *Writer) ConsumeAndFlush(data []byte, off int) []byte {
	if !lw.rawFits(data, off) {
		lw.Consume(data[off:])
		lw.Flush()
		return data
	}
	if lw.opts.KeepTail {
		lw.sink.Tail(lw.name, data[off:])
	}
	last := bytes.LastIndexByte(data, '\n')
	lines, rest := data[:last+1], data[last+1:]
	lw.pending = append(lw.pending[:0], rest...)
	if lw.err != nil {
		return data
	}
	lw.log.Lines = int64(bytes.Count(lines, []byte{'\n'}))
	defer func() { lw.log.Lines = 0 }()
	var e *logbuf.Entry
	if lw.opts.Logs {
		e = &lw.log
	}
	if err := lw.sink.Write(lines, e); err != nil {
		lw.err = fmt.Errorf("write output of %s: %w", lw.name, err)
	}
	if e == nil || cap(e.Reuse) > 0 && unsafe.SliceData(e.Reuse) == unsafe.SliceData(data) {
		return data
	}
	// The log buffers keep data; what they gave back may be pooled.
	spare := e.Reuse
	e.Reuse = nil
	return spare
}

// rawFits reports whether data can be written as it is: raw output, the
// carried line copied in front (off), a newline in it, and no '\r' (a
// "\r\n" ending loses its '\r' on the batch's way).
func (lw *Writer) rawFits(data []byte, off int) bool {
	if !lw.raw() || off != len(lw.pending) {
		return false
	}
	return bytes.IndexByte(data, '\n') >= 0 && bytes.IndexByte(data, '\r') < 0
}
