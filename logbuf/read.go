package logbuf

import (
	"bytes"
	"slices"
	"time"
)

// Query says which kept lines Logs sends, and how.
type Query struct {
	// Match selects names (nil: every name). In a follow it is asked about
	// names that appear later too (an instance a reload starts).
	Match func(name string) bool
	// Since leaves out lines written before it (zero: none).
	Since time.Time
	// Lines keeps only the last Lines lines (negative: all).
	Lines int
	// Follow goes on with lines written later, until stop is closed or
	// Close is called.
	Follow bool
	// Format, if not nil, appends a batch's lines to dst as the reader
	// wants them; otherwise they are sent as they were kept.
	Format func(dst []byte, b Batch) []byte
	// End, if not nil, is called with Logs's result before the reader
	// stops counting for Close: a server's last frame (the end of a
	// follow) is written before Close's done channel says all readers
	// finished, so a tend that exits right after loses no follower's end.
	End func(err error)
}

// Batch is kept lines handed to Query.Format: Data is whole lines, each
// ending with '\n', each starting with a prefix of Prefix bytes.
type Batch struct {
	Name   string
	Stream int // as Keep got it
	Time   time.Time
	Prefix int
	Data   []byte
}

// sendSize is about the most a reader copies out of one buffer in one
// step, and the size of what it hands to send.
const sendSize = 256 << 10

// Logs sends the kept lines q selects through send, whole lines in the
// order they were kept, in pieces of about sendSize at most. missed is
// the count of lines that were evicted before this reader took them (a
// follower that fell behind a fast writer); it comes before the lines
// after the gap. Logs returns when it has sent what was kept when it was
// called, or, for a follow, once stop or Close ends it; or with send's
// first error. It never makes a writer wait for send.
func (st *Store) Logs(q Query, send func(data []byte, missed int64) error, stop <-chan struct{}) (err error) {
	st.mu.Lock()
	closed := isClosed(st.closed)
	if !closed { // Close waits for the readers it knows of
		st.readers.Add(1)
		defer st.readers.Done()
	}
	st.mu.Unlock()
	if q.End != nil {
		defer func() { q.End(err) }() // runs before readers.Done
	}
	r := &logReader{st: st, q: q, send: send, cursors: map[*logBuf]int64{}, skip: map[*logBuf]bool{}}
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
	st      *Store
	q       Query
	send    func([]byte, int64) error
	cursors map[*logBuf]int64 // the index of the next line to send
	skip    map[*logBuf]bool  // not selected
	missed  int64             // evicted before they were sent, not yet told
	out     []byte
}

// matching lists the buffers q selects, adding those not seen yet: from
// their first line (they appeared since the reader began).
func (r *logReader) matching() []*logBuf {
	st := r.st
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
	r.st.sent.Add(int64(len(r.out)))
	r.out, r.missed = nil, 0
	return err
}

// format appends p's lines as the reader wants them.
func (r *logReader) format(dst []byte, p piece) []byte {
	if r.q.Format == nil {
		return append(dst, p.c.data...)
	}
	return r.q.Format(dst, Batch{Name: p.b.name, Stream: p.c.stream, Time: time.Unix(0, p.c.time), Prefix: p.c.prefix, Data: p.c.data})
}
