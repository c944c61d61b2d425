package output

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tend-run/tend/idlewait"
	"github.com/tend-run/tend/logbuf"
	"github.com/tend-run/tend/pipefd"
)

// The Mux's write path. The copiers write their batches themselves, one
// write per batch under the write lock, so a log reader that is slow or
// stopped blocks them and, through their full pipes, the children: that is
// how nothing gets lost. Nothing else ever waits on a stream: tend's own
// lines go into a bounded queue that a goroutine of the Mux writes, so the
// supervisor, the scheduler and the control socket go on when a log reader
// stalls; the last wait at exit is bounded by the drain's deadline, and what
// could not be written by then is counted and reported.

// maxQueued bounds the bytes of tend's own lines waiting for a stalled
// stream; beyond it lines are dropped (and counted) rather than kept.
const maxQueued = 1 << 20

// gateLimit bounds how long an own line waits for the output of the process
// it is about, however long a background process keeps writing into its
// pipes: later own lines wait behind it.
const gateLimit = 5 * Grace

// reportWait bounds the wait for the last lines and for the report of what
// was dropped at exit.
const reportWait = time.Second

// outState is the write side of a Mux.
type outState struct {
	// locks[s] is held for every write to stream s: lines never mix. Both
	// are one lock when the streams may be one file (`2>&1`), two when
	// they are known to be different files, so that a stalled stdout does
	// not hold up stderr.
	locks   [2]*sync.Mutex
	inWrite [2]atomic.Bool // a write to the stream is in progress

	// queues[s] holds tend's own lines for stream s: one queue when the
	// streams share a lock (their lines keep their order), else two (a
	// stalled stdout does not hold up tend's lines on stderr).
	queues [2]*ownQueue

	// pending counts the bytes accepted for each stream and not yet
	// written: batches waiting for or inside a write, and queued own lines.
	pending  [2]atomic.Int64
	overflow atomic.Int64 // own-line bytes dropped because the queue was full

	broken     [2]atomic.Bool // EPIPE: the stream's reader is gone
	brokenOnce sync.Once
	brokenC    chan struct{}
	brokenOn   atomic.Int32 // the Stream that broke first

	hurryOnce sync.Once
	hurry     chan struct{} // closed when the wait at exit gave up: gates open
}

func (o *outState) init(stdout, stderr io.Writer) {
	o.brokenC, o.hurry = make(chan struct{}), make(chan struct{})
	o.locks[Stdout] = new(sync.Mutex)
	o.locks[Stderr] = o.locks[Stdout]
	o.queues[Stdout] = new(ownQueue)
	o.queues[Stderr] = o.queues[Stdout]
	if pipefd.DifferentFiles(stdout, stderr) {
		o.locks[Stderr] = new(sync.Mutex)
		o.queues[Stderr] = new(ownQueue)
	}
}

// ownQueue is a queue of own lines and the goroutine writing it.
type ownQueue struct {
	mu       sync.Mutex
	lines    []ownLine
	queued   int64         // bytes in lines, for maxQueued
	flushing bool          // a flushOwn goroutine is writing the queue
	idle     chan struct{} // closed when that goroutine has emptied the queue
}

// ownLine is one of tend's lines, formatted, waiting to be written.
type ownLine struct {
	stream  Stream
	data    []byte
	gate    *gate
	release *Hold         // released once the line is written or dropped
	log     *logbuf.Entry // for the log buffers (nil: not kept)
}

// gate holds an own line back until a process's output is copied.
type gate struct {
	done <-chan struct{}
	read *atomic.Int64 // bytes read from the process's pipes so far
}

// write writes b to stream s with one Write under the write lock. After
// EPIPE on a stream (its reader went away) everything for it is discarded.
//
// With log buffers (e not nil), the batch is kept for `tend logs` once
// written, still under the lock, and e.Reuse is the buffer to fill next.
func (m *Mux) write(s Stream, b []byte, e *logbuf.Entry) error {
	m.out.pending[s].Add(int64(len(b)))
	return m.writeCounted(s, b, e)
}

// writeCounted is write for bytes already counted in pending.
func (m *Mux) writeCounted(s Stream, b []byte, e *logbuf.Entry) error {
	o := &m.out
	defer o.pending[s].Add(-int64(len(b)))
	if e != nil {
		e.Reuse = b[:0]
	}
	if o.broken[s].Load() {
		return nil
	}
	lock := o.locks[s]
	lock.Lock()
	defer lock.Unlock()
	if o.broken[s].Load() {
		return nil
	}
	o.inWrite[s].Store(true)
	_, err := m.writer(s).Write(b)
	o.inWrite[s].Store(false)
	if e != nil {
		m.logs.Keep(int(s), b, e)
	}
	if errors.Is(err, syscall.EPIPE) {
		o.broken[s].Store(true)
		o.brokenOnce.Do(func() {
			o.brokenOn.Store(int32(s))
			close(o.brokenC)
		})
	}
	return err
}

// Broken is closed once a write to stdout or stderr got EPIPE: the log
// reader went away (`tend start | head`). Output to that stream is
// discarded from then on; the supervisor treats it as a stop request.
func (m *Mux) Broken() <-chan struct{} { return m.out.brokenC }

// BrokenStream is the stream whose reader went away first, once Broken is
// closed.
func (m *Mux) BrokenStream() Stream { return Stream(m.out.brokenOn.Load()) }

// enqueue queues an own line for flushOwn, never waiting for the stream.
func (m *Mux) enqueue(l ownLine) {
	o := &m.out
	n := int64(len(l.data))
	if n == 0 || o.broken[l.stream].Load() {
		l.release.done()
		return
	}
	q := o.queues[l.stream]
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued+n > maxQueued {
		o.overflow.Add(n)
		l.release.done()
		return
	}
	q.lines = append(q.lines, l)
	q.queued += n
	o.pending[l.stream].Add(n)
	if !q.flushing {
		q.flushing = true
		q.idle = make(chan struct{})
		go m.flushOwn(q, q.idle)
	}
}

// flushOwn writes q's lines in order, each after its gate, and ends when
// the queue is empty.
func (m *Mux) flushOwn(q *ownQueue, idle chan struct{}) {
	o := &m.out
	for {
		q.mu.Lock()
		if len(q.lines) == 0 {
			q.flushing = false
			q.lines = nil
			q.mu.Unlock()
			close(idle)
			return
		}
		l := q.lines[0]
		q.lines[0] = ownLine{}
		q.lines = q.lines[1:]
		q.mu.Unlock()
		if l.gate != nil {
			idlewait.Wait(l.gate.done, o.hurry, l.gate.read, Grace, gateLimit)
		}
		_ = m.writeCounted(l.stream, l.data, l.log)
		l.release.done()
		q.mu.Lock()
		q.queued -= int64(len(l.data))
		q.mu.Unlock()
	}
}

// flushed returns a channel closed once copied is closed (nil: at once)
// and the own-line queue is empty.
func (m *Mux) flushed(copied <-chan struct{}) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		if copied != nil {
			<-copied
		}
		m.ownFlushed()
		close(ch)
	}()
	return ch
}

// ownFlushed waits until the own-line queues are empty.
func (m *Mux) ownFlushed() {
	for _, q := range m.out.queues {
		for {
			q.mu.Lock()
			if !q.flushing {
				q.mu.Unlock()
				break
			}
			idle := q.idle
			q.mu.Unlock()
			<-idle
		}
	}
}

// Drain is the last wait for output, once tend's processes are gone: every
// pipe opened with Pipes is copied to its end, and tend's own queued lines
// are written too. It gives up Grace
// after it began when only reads are left (a descendant tend cannot reach
// holds a pipe open), and at deadline (the drain's, the end of -t) if later
// while bytes wait for a stream whose reader does not read: those are lost,
// and it says so on stderr with their count. It returns that count.
func (m *Mux) Drain(deadline time.Time) int64 {
	copied := make(chan struct{})
	go func() {
		for _, p := range m.openPipes() {
			<-p.done
		}
		close(copied)
	}()
	done := m.flushed(copied)
	grace := time.NewTimer(Grace)
	defer grace.Stop()
	select {
	case <-done:
		return 0
	case <-grace.C:
	}
	if m.out.pending[Stdout].Load()+m.out.pending[Stderr].Load() > 0 {
		late := time.NewTimer(time.Until(deadline))
		defer late.Stop()
		select {
		case <-done:
			return 0
		case <-late.C:
		}
	}
	return m.giveUp()
}

// giveUp stops waiting for output at exit: gated lines go out, and either
// a descendant holds a pipe open (said through the queue, which is moving)
// or a stream is stalled (said directly on stderr: the queue is stuck).
func (m *Mux) giveUp() int64 {
	o := &m.out
	o.hurryOnce.Do(func() { close(o.hurry) })
	out, errs := o.pending[Stdout].Load(), o.pending[Stderr].Load()
	lost := out + errs + o.overflow.Load()
	if out+errs == 0 {
		m.Errorf("an output pipe is still held open by a process tend cannot reach; not waiting for it")
		m.waitBounded(m.flushed(nil))
		return lost
	}
	// Name the stream a write is stuck on; the other may only be waiting
	// for their shared lock.
	which := "stdout"
	switch {
	case o.inWrite[Stdout].Load() && o.inWrite[Stderr].Load():
		which = "stdout and stderr"
	case o.inWrite[Stderr].Load(), out == 0:
		which = "stderr"
	}
	lw := m.newLineWriter(tendName, Stderr)
	msg := fmt.Sprintf("%s is not being read: up to %d bytes of output were dropped\n", which, lost)
	if !m.opts.Prefix && !m.opts.JSON {
		msg = tendName + ": " + msg
	}
	lw.Consume([]byte(msg))
	// Past the write locks, which a blocked write may hold for ever; a
	// stalled stderr leaves this write blocked too, so it is not waited for.
	written := make(chan struct{})
	go func() {
		_, _ = m.opts.Stderr.Write(lw.Batch())
		close(written)
	}()
	m.waitBounded(written)
	return lost
}

func (m *Mux) waitBounded(ch <-chan struct{}) {
	t := time.NewTimer(reportWait)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}

// Queued returns a writer of tend's own messages, already formatted, for
// code that prints with fmt.Fprintf (exec mode): each Write is queued like
// an own line, in order, and never waits for the stream. Drain writes what
// is left.
func (m *Mux) Queued(s Stream) io.Writer { return queuedWriter{m: m, s: s} }

type queuedWriter struct {
	m *Mux
	s Stream
}

func (w queuedWriter) Write(p []byte) (int, error) {
	w.m.enqueue(ownLine{stream: w.s, data: append([]byte(nil), p...)})
	return len(p), nil
}
