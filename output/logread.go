package output

import (
	"bytes"
	"errors"
	"slices"
	"time"
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
	// JSON sends the lines as --log-format json prints them, whatever
	// format tend prints; otherwise they come as tend printed them.
	JSON bool
	// NoColor leaves out the colours of the prefixes (the reader is not a
	// terminal).
	NoColor bool
}

// ErrNoLogs is Logs' answer when tend keeps no output (LogBuffer 0).
var ErrNoLogs = errors.New("this tend keeps no output (it runs with --log-buffer 0)")

// sendSize is about the most a reader copies out of one buffer in one
// step, and the size of what it hands to send.
const sendSize = 256 << 10

// Logs sends the kept lines q selects through send, whole lines in the
// order tend printed them, in pieces of about sendSize at most. missed is
// the count of lines that were evicted before this reader took them (a
// follower that fell behind a fast writer); it comes before the lines
// after the gap. Logs returns when it has sent what was kept when it was
// called, or, for a follow, once stop or CloseLogs ends it; or with
// send's first error. It never makes a writer wait for send.
func (m *Mux) Logs(q LogQuery, send func(data []byte, missed int64) error, stop <-chan struct{}) error {
	st := m.logs
	if st == nil {
		return ErrNoLogs
	}
	st.mu.Lock()
	closed := isClosed(st.closed)
	if !closed { // CloseLogs waits for the readers it knows of
		st.readers.Add(1)
		defer st.readers.Done()
	}
	st.mu.Unlock()
	r := &logReader{m: m, q: q, send: send, cursors: map[*logBuf]int64{}, skip: map[*logBuf]bool{}}
	horizon := st.seq.Load()
	r.start(horizon)
	for {
		var wake <-chan struct{}
		if q.Follow && !closed {
			wake = st.wake.wait() // before looking: nothing kept after is missed
			horizon = st.seq.Load()
		}
		more, err := r.step(horizon)
		switch {
		case err != nil:
			return err
		case more:
			continue
		case wake == nil:
			return nil
		}
		select {
		case <-wake:
		case <-stop:
			return nil
		case <-st.closed:
			closed, horizon = true, st.seq.Load() // the last lines, then the end
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// logReader is one call of Logs: where it is in each buffer.
type logReader struct {
	m       *Mux
	q       LogQuery
	send    func([]byte, int64) error
	cursors map[*logBuf]int64 // the index of the next line to send
	skip    map[*logBuf]bool  // not selected
	missed  int64             // evicted before they were sent, not yet told
	out     []byte
}

// matching lists the buffers q selects, adding those not seen yet: from
// their first line (they appeared since the reader began).
func (r *logReader) matching() []*logBuf {
	st := r.m.logs
	st.mu.Lock()
	defer st.mu.Unlock()
	var bufs []*logBuf
	for name, b := range st.bufs {
		if r.skip[b] {
			continue
		}
		if _, ok := r.cursors[b]; !ok {
			if r.q.Match != nil && !r.q.Match(name) {
				r.skip[b] = true
				continue
			}
			r.cursors[b] = 0
		}
		bufs = append(bufs, b)
	}
	return bufs
}

// start places the cursors for q.Since and q.Lines among the batches up to
// horizon.
func (r *logReader) start(horizon uint64) {
	type span struct {
		b            *logBuf
		seq          uint64
		first, lines int64
	}
	var spans []span
	since := r.q.Since.UnixNano()
	for _, b := range r.matching() {
		b.mu.Lock()
		cur := b.first
		for _, c := range b.chunks {
			if c.seq > horizon {
				break
			}
			if !r.q.Since.IsZero() && c.time < since {
				cur = c.first + c.lines
				continue
			}
			spans = append(spans, span{b, c.seq, c.first, c.lines})
		}
		b.mu.Unlock()
		r.cursors[b] = cur
	}
	if r.q.Lines < 0 {
		return
	}
	// The last Lines lines: from the newest batch back.
	for _, s := range spans {
		r.cursors[s.b] = max(r.cursors[s.b], s.first+s.lines)
	}
	slices.SortFunc(spans, func(a, b span) int { return -cmpSeq(a.seq, b.seq) })
	left := int64(r.q.Lines)
	for _, s := range spans {
		if left == 0 {
			break
		}
		n := min(left, s.lines)
		r.cursors[s.b] = s.first + s.lines - n
		left -= n
	}
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// piece is lines copied out of one batch.
type piece struct {
	b    *logBuf
	c    chunk // its data is the copy, from the cursor on
	next int64 // the cursor after it
}

// step copies what the buffers hold up to horizon, at most about sendSize
// of each, and sends it in print order. more says a buffer had more.
func (r *logReader) step(horizon uint64) (more bool, err error) {
	var pieces []piece
	limit := horizon
	for _, b := range r.matching() {
		got, last, full := r.take(b, horizon)
		pieces = append(pieces, got...)
		if full {
			more = true
			limit = min(limit, last)
		}
	}
	// What lies beyond a buffer that was cut short waits for the next
	// step, so that the order holds across buffers.
	slices.SortFunc(pieces, func(a, b piece) int { return cmpSeq(a.c.seq, b.c.seq) })
	for _, p := range pieces {
		if p.c.seq > limit {
			break
		}
		r.cursors[p.b] = p.next
		r.out = r.format(r.out, p)
		if len(r.out) >= sendSize {
			if err := r.flush(); err != nil {
				return false, err
			}
		}
	}
	return more, r.flush()
}

// take copies b's lines from the cursor up to horizon (about sendSize);
// last is the seq of the last batch taken, full says there was more.
func (r *logReader) take(b *logBuf, horizon uint64) (got []piece, last uint64, full bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := r.cursors[b]
	if cur < b.first {
		r.missed += b.first - cur
		cur = b.first
		r.cursors[b] = cur
	}
	size := 0
	for _, c := range b.chunks {
		if c.seq > horizon {
			break
		}
		if c.first+c.lines <= cur {
			continue
		}
		if size >= sendSize {
			return got, last, true
		}
		data := c.data[c.off:]
		for skip := cur - c.first; skip > 0; skip-- {
			data = data[bytes.IndexByte(data, '\n')+1:]
		}
		c.data, c.off = append([]byte(nil), data...), 0
		cur = c.first + c.lines
		got = append(got, piece{b: b, c: c, next: cur})
		last = c.seq
		size += len(data)
	}
	return got, last, false
}

// flush sends what was formatted, with the count of lines missed before
// it.
func (r *logReader) flush() error {
	if len(r.out) == 0 && r.missed == 0 {
		return nil
	}
	err := r.send(r.out, r.missed)
	r.m.logs.sent.Add(int64(len(r.out)))
	r.out, r.missed = nil, 0
	return err
}

// format appends p's lines as the reader wants them.
func (r *logReader) format(dst []byte, p piece) []byte {
	o := &r.m.opts
	switch {
	case r.q.JSON && !o.JSON:
		t := time.Unix(0, p.c.time).AppendFormat(nil, time.RFC3339Nano)
		name := []byte(p.b.name)
		eachLine(p.c.data, func(line []byte) {
			text := line[min(p.c.prefix, len(line)-1) : len(line)-1]
			dst = append(dst, `{"time":"`...)
			dst = append(dst, t...)
			dst = append(dst, `","process":`...)
			dst = appendJSONString(dst, name)
			dst = append(dst, `,"stream":"`...)
			dst = append(dst, p.c.stream.String()...)
			dst = append(dst, `","line":`...)
			dst = appendJSONString(dst, text)
			dst = append(dst, "}\n"...)
		})
		return dst
	case r.q.NoColor && o.Color && !o.JSON:
		eachLine(p.c.data, func(line []byte) {
			n := min(p.c.prefix, len(line))
			dst = appendWithoutColor(dst, line[:n])
			dst = append(dst, line[n:]...)
		})
		return dst
	}
	return append(dst, p.c.data...)
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
