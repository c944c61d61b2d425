package output

import (
	"github.com/tend-run/tend/linebatch"
	"github.com/tend-run/tend/logbuf"
)

// streamSink is what a linebatch.Writer of one stream writes to: the
// Mux's write under its lock, its tails, and its prefix widths and colours.
type streamSink struct {
	m *Mux
	s Stream
}

// newLineWriter returns the line writer of name's lines on stream s.
func (m *Mux) newLineWriter(name string, s Stream) *linebatch.Writer {
	return linebatch.New(name, s.String(), &m.lines, &m.sinks[s])
}

// Style is the padded width of the names and name's colour ("" without
// colour); names may be re-padded by SetNames.
func (k *streamSink) Style(name string) (width int, color string) {
	m := k.m
	m.mu.Lock()
	width = m.width
	if m.opts.Color {
		color = m.colorLocked(name)
	}
	m.mu.Unlock()
	return width, color
}

// Tail keeps the end of name's output for Tail.
func (k *streamSink) Tail(name string, data []byte) { k.m.keepTail(name, data) }

// Write writes whole lines to the stream (see Mux.write).
func (k *streamSink) Write(b []byte, e *logbuf.Entry) error { return k.m.write(k.s, b, e) }
