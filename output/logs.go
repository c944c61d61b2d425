package output

import (
	"errors"
	"time"

	"github.com/tend-run/tend/idlewait"
	"github.com/tend-run/tend/lineformat"
	"github.com/tend-run/tend/logbuf"
)

// LogQuery says which kept lines Logs sends, and how.
type LogQuery struct {
	// Match selects names (nil: every name). In a follow it is asked about
	// names that appear later too (an instance a reload starts).
	Match func(name string) bool
	// Since leaves out lines written before it (zero: none).
	Since time.Time
	// Lines keeps only the last Lines lines (negative: all).
	Lines int
	// Follow goes on with lines written later, until stop is closed or
	// CloseLogs is called.
	Follow bool
	// End, if not nil, gets Logs's result before CloseLogs stops waiting
	// for this reader (logbuf.Query.End).
	End func(err error)
	// JSON sends the lines as --log-format json prints them, whatever
	// format tend prints; otherwise they come as tend printed them.
	JSON bool
	// NoColor leaves out the colours of the prefixes (the reader is not a
	// terminal).
	NoColor bool
}

// ErrNoLogs is Logs' answer when tend keeps no output (LogBuffer 0).
var ErrNoLogs = errors.New("this tend keeps no output (it runs with --log-buffer 0)")

// Logs sends the kept lines q selects through send, whole lines in the
// order tend printed them (see logbuf.Store.Logs). missed is the count of
// lines that were evicted before this reader took them; it comes before
// the lines after the gap. Logs returns when it has sent what was kept
// when it was called, or, for a follow, once stop or CloseLogs ends it; or
// with send's first error. It never makes a writer wait for send.
func (m *Mux) Logs(q LogQuery, send func(data []byte, missed int64) error, stop <-chan struct{}) error {
	if m.logs == nil {
		return ErrNoLogs
	}
	return m.logs.Logs(logbuf.Query{Match: q.Match, Since: q.Since, Lines: q.Lines, Follow: q.Follow, Format: m.logFormat(q), End: q.End}, send, stop)
}

// logFormat turns kept lines into the format q asks for; nil when that is
// the format tend printed them in.
func (m *Mux) logFormat(q LogQuery) func(dst []byte, b logbuf.Batch) []byte {
	o := &m.opts
	switch {
	case q.JSON && !o.JSON:
		return appendLogJSON
	case q.NoColor && o.Color && !o.JSON:
		return appendLogWithoutColor
	}
	return nil
}

// appendLogJSON appends b's lines as --log-format json prints them.
func appendLogJSON(dst []byte, b logbuf.Batch) []byte {
	return lineformat.AppendLinesJSON(dst, b.Data, b.Prefix, b.Time, b.Name, Stream(b.Stream).String())
}

// appendLogWithoutColor appends b's lines without the colours of their
// prefixes.
func appendLogWithoutColor(dst []byte, b logbuf.Batch) []byte {
	return lineformat.AppendLinesWithoutColor(dst, b.Data, b.Prefix)
}

// Recent is the last lines lines of name's output as `tend logs -n LINES
// NAME` shows them (whole lines as tend printed them, without colour), from
// the log buffers; when tend keeps none (LogBuffer 0), the last few KiB
// Tail keeps.
func (m *Mux) Recent(name string, lines int) string {
	if m.logs == nil {
		return m.Tail(name)
	}
	var out []byte
	_ = m.Logs(LogQuery{Match: func(n string) bool { return n == name }, Lines: lines, NoColor: true},
		func(data []byte, _ int64) error { out = append(out, data...); return nil }, nil)
	return string(out)
}

// LogNames are the names whose output the log buffers hold or held.
func (m *Mux) LogNames() []string {
	if m.logs == nil {
		return nil
	}
	return m.logs.Names()
}

// CloseLogs ends every reader of the log buffers once it has sent what
// there is (a follower of `tend logs --follow` gets the last lines of a
// drain), waiting for them while they make progress, up to idle without
// any (a reader whose caller stopped reading) and ten times idle in all.
func (m *Mux) CloseLogs(idle time.Duration) {
	if m.logs == nil {
		return
	}
	done, sent := m.logs.Close()
	idlewait.Wait(done, nil, sent, idle, 10*idle)
}
