// Package logbuf keeps the recent output of every name for `tend logs`:
// whole lines as tend printed them, in batches ordered by a global
// sequence number, bounded in bytes per name, and read by any number of
// readers (Logs) that never make the writers wait.
package logbuf

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"
)

// The log buffers behind `tend logs`: the recent output of every name, as
// tend printed it. A batch is kept as it was written, under the stream's
// write lock (so a global sequence number orders batches of many names as
// they were printed), and by handing the batch itself over rather than
// copying it: the writer fills a batch the buffer let go of next, so a
// steady writer costs the hot path no copy and no allocation. Readers copy
// what they take under the buffer's lock and never make the writers wait
// for them: what a slow reader has not taken yet is evicted like anything
// else, and the reader is told how many lines it missed.

// ChunkOverhead is what a kept batch costs beyond its bytes, counted
// against the limit so that a flood of one-line batches stays bounded.
const ChunkOverhead = 64

// Store holds one logBuf per name.
type Store struct {
	limit     int // bytes per name, ChunkOverhead per batch included
	now       func() time.Time
	keepBatch int           // the largest batch buffer Keep hands back new
	seq       atomic.Uint64 // the last sequence number given to a batch

	mu      sync.Mutex // guards bufs and closed
	bufs    map[string]*logBuf
	closed  chan struct{} // closed by Close: readers finish
	readers sync.WaitGroup
	sent    atomic.Int64 // bytes readers have sent, for Close

	wake notifier // followers waiting for new batches
}

// logBuf is the recent output of one name.
type logBuf struct {
	name string

	mu     sync.Mutex // guards the fields below; never held across I/O
	chunks []chunk    // oldest first
	size   int        // bytes of chunks, with their overhead
	first  int64      // index of the oldest line kept (lines ever evicted)
	next   int64      // index the next line kept gets (lines ever kept)
	spare  []byte     // an evicted batch, for the writer to fill next
}

// chunk is one kept batch: whole formatted lines.
type chunk struct {
	data   []byte // whole lines, each ending with '\n', from off on
	off    int    // data[:off] was evicted (the buffer is kept whole for reuse)
	seq    uint64
	first  int64 // index of the first line in data
	lines  int64
	time   int64 // Unix nanoseconds when it was written
	stream int   // the writer's stream, as Keep got it
	prefix int   // bytes before a line's text (text format): the prefix
}

// Entry describes a batch being written, for the log buffer. A writer
// keeps one per name and stream, and fills in Lines and Prefix.
type Entry struct {
	Name   string
	Lines  int64 // the lines of the batch
	Prefix int   // bytes before a line's text: the prefix (0: none)
	// Reuse is set by Keep: the buffer the writer fills next (nil: make one).
	Reuse []byte
	buf   *logBuf // Name's buffer, once looked up
}

// New returns a Store keeping up to limit bytes of each name's output;
// now stamps the batches. Keep hands a writer back a new buffer of a
// batch's capacity while it is at most keepBatch.
func New(limit int, now func() time.Time, keepBatch int) *Store {
	return &Store{limit: limit, now: now, keepBatch: keepBatch, bufs: map[string]*logBuf{}, closed: make(chan struct{})}
}

func (st *Store) buf(name string) *logBuf {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.bufs[name]
	if b == nil {
		b = &logBuf{name: name}
		st.bufs[name] = b
	}
	return b
}

// Keep takes data, a batch of whole lines just written to stream s, and
// sets e.Reuse. The caller holds s's write lock, so sequence numbers follow
// print order.
func (st *Store) Keep(s int, data []byte, e *Entry) {
	e.Reuse = data[:0]
	if len(data) == 0 || e.Lines == 0 {
		return
	}
	owned, handed := data, true
	if cap(data) > 2*len(data)+4<<10 {
		// A few lines in a big buffer: keep a copy that fits, and the
		// writer keeps its buffer (as it does without logs).
		owned, handed = append([]byte(nil), data...), false
	}
	if e.buf == nil {
		e.buf = st.buf(e.Name)
	}
	b := e.buf
	t := st.now().UnixNano()
	b.mu.Lock()
	b.chunks = append(b.chunks, chunk{data: owned, seq: st.seq.Add(1), first: b.next, lines: e.Lines, time: t, stream: s, prefix: e.Prefix})
	b.next += e.Lines
	b.size += len(owned) + ChunkOverhead
	b.evict(st.limit)
	if handed {
		e.Reuse, b.spare = b.spare, nil
	}
	b.mu.Unlock()
	if e.Reuse == nil && cap(data) <= st.keepBatch {
		e.Reuse = make([]byte, 0, cap(data))
	}
	st.wake.notify()
}

// evict drops whole lines from the front until the buffer fits limit. An
// evicted batch is kept as the spare (the larger one, if two).
func (b *logBuf) evict(limit int) {
	for b.size > limit && len(b.chunks) > 0 {
		c := &b.chunks[0]
		kept := c.data[c.off:]
		excess := b.size - limit
		cut := len(kept)
		if excess < len(kept) {
			// The end of the line holding the excess-th byte.
			cut = excess + bytes.IndexByte(kept[excess-1:], '\n')
		}
		if cut == len(kept) {
			b.size -= len(kept) + ChunkOverhead
			b.first = c.first + c.lines
			if b.spare == nil || cap(c.data) > cap(b.spare) {
				b.spare = c.data[:0]
			}
			b.chunks[0] = chunk{}
			b.chunks = b.chunks[1:]
			continue
		}
		n := int64(bytes.Count(kept[:cut], newline))
		c.off += cut
		c.first += n
		c.lines -= n
		b.first = c.first
		b.size -= cut
	}
	if len(b.chunks) == 0 {
		b.chunks = nil
	}
}

var newline = []byte{'\n'}

// notifier wakes followers; it costs the writers an atomic load while
// nobody waits.
type notifier struct {
	waiting atomic.Bool
	mu      sync.Mutex
	c       chan struct{}
}

// wait returns a channel closed by the next notify. Check for news after
// calling it, then wait on it: nothing kept in between is missed.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.c == nil {
		n.c = make(chan struct{})
	}
	n.waiting.Store(true)
	return n.c
}

func (n *notifier) notify() {
	if !n.waiting.Load() {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.c != nil {
		close(n.c)
		n.c = nil
	}
	n.waiting.Store(false)
}

// Names are the names whose output the buffers hold or held.
func (st *Store) Names() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	names := make([]string, 0, len(st.bufs))
	for n := range st.bufs {
		names = append(names, n)
	}
	return names
}

// Close ends every reader once it has sent what there is (a follower gets
// the last lines). done is closed once they all returned; sent counts the
// bytes they sent, so that the caller can tell a reader making progress
// from one whose caller stopped reading.
func (st *Store) Close() (done <-chan struct{}, sent *atomic.Int64) {
	st.mu.Lock()
	select {
	case <-st.closed:
	default:
		close(st.closed)
	}
	st.mu.Unlock()
	c := make(chan struct{})
	go func() { st.readers.Wait(); close(c) }()
	return c, &st.sent
}
