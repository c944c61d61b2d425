package output

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tend-run/tend/linebatch"
	"github.com/tend-run/tend/logbuf"
	"github.com/tend-run/tend/tailbuf"
)

// Grace bounds the wait for output pipes once every process is gone:
// only a descendant tend cannot reach still holds one open.
const Grace = 2 * time.Second

// tailBytes bounds the output tail kept per process for failure hooks.
const tailBytes = 4 << 10

// readSize is the read size of a reader that is not a pipe; a pipe is
// read pipefd.BufSize bytes at a time into a pooled buffer. Lines are
// limited to linebatch.MaxLine.
const readSize = 64 << 10

// Stream says which of tend's streams a line goes to.
type Stream int

// The two streams: a child's stdout lines go to tend's stdout, its stderr
// lines to tend's stderr.
const (
	Stdout Stream = iota
	Stderr
)

func (s Stream) String() string {
	if s == Stderr {
		return "stderr"
	}
	return "stdout"
}

// OutputOptions configures a Mux.
type OutputOptions struct {
	// Stdout and Stderr are tend's own streams.
	Stdout, Stderr io.Writer
	// Timestamps puts "15:04:05 " before each name.
	Timestamps bool
	// Prefix puts "name | " before each line; false prints raw lines.
	Prefix bool
	// Color colours each process's prefix (the caller decides: a terminal,
	// no NO_COLOR, TERM not dumb).
	Color bool
	// JSON prints one object per line: time, process, stream, line. It
	// overrides Prefix, Color and Timestamps.
	JSON bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// KeepTail keeps the last few KiB of each name's output for Tail
	// (failure hooks); off, it costs nothing.
	KeepTail bool
	// LogBuffer bounds the recent output kept per name for `tend logs`
	// (Logs), in bytes; 0 keeps none.
	LogBuffer int
}

// Mux writes the output of many processes to tend's two streams, whole
// lines only, under one lock for both streams unless they are different
// files (so `2>&1` into one pipe stays whole too), batching every complete
// line of a read into one write.
//
// Only the copiers ever wait on tend's streams: tend's own lines are queued
// and written by a goroutine of the Mux (muxqueue.go), so a log reader that
// stops reading stalls the children, never the supervisor.
type Mux struct {
	opts  OutputOptions
	lines linebatch.Options // how the line writers format (from opts)
	sinks [2]streamSink     // what they write to, per Stream

	mu       sync.Mutex // guards the fields below; never held across I/O
	width    int
	palette  map[string]string
	next     int
	tails    map[string]tailbuf.Last
	progress map[string]*atomic.Int64 // bytes read per name, for ordered own lines
	holds    map[string]*Hold         // output held until its announcing line is out

	out outState // the write path: its lock, the own-line queue, broken streams

	pipes map[*Pipes]bool // being copied and waited for by Drain (guarded by mu)

	logs *logbuf.Store // the log buffers (nil: LogBuffer is 0)
}

// palette of ANSI colours given to names in order of first appearance.
var colors = []string{"36", "33", "32", "35", "34", "31", "96", "93", "92", "95", "94", "91"}

// tendName is the name of tend's own lines.
const tendName = "tend"

// NewMux returns a Mux writing with opts.
func NewMux(opts OutputOptions) *Mux {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Mux{opts: opts, width: len(tendName), palette: map[string]string{tendName: "1"}, progress: map[string]*atomic.Int64{}, pipes: map[*Pipes]bool{}}
	m.out.init(opts.Stdout, opts.Stderr)
	if opts.LogBuffer > 0 {
		m.logs = logbuf.New(opts.LogBuffer, opts.Now, linebatch.KeepBatch)
	}
	m.lines = linebatch.Options{Prefix: opts.Prefix, Timestamps: opts.Timestamps, JSON: opts.JSON,
		Now: opts.Now, KeepTail: opts.KeepTail, Logs: m.logs != nil}
	m.sinks = [2]streamSink{{m, Stdout}, {m, Stderr}}
	return m
}

// SetNames declares the names that will print, so prefixes are padded to
// the longest (tend's own included), and gives each a colour.
func (m *Mux) SetNames(names []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.width = len(tendName)
	for _, n := range names {
		m.width = max(m.width, len(n))
		m.colorLocked(n)
	}
}

func (m *Mux) colorLocked(name string) string {
	c, ok := m.palette[name]
	if !ok {
		c = colors[m.next%len(colors)]
		m.next++
		m.palette[name] = c
	}
	return c
}

func (m *Mux) writer(s Stream) io.Writer {
	if s == Stderr {
		return m.opts.Stderr
	}
	return m.opts.Stdout
}

// keepTail remembers the end of a name's output, bounded.
func (m *Mux) keepTail(name string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tails == nil {
		m.tails = map[string]tailbuf.Last{}
	}
	t := m.tails[name]
	t.Keep(data, tailBytes)
	m.tails[name] = t
}

// lastLines is the tail's last lines: when it is full, its first,
// possibly partial, line is dropped.
func lastLines(t *tailbuf.Last) string {
	b := t.Bytes()
	if len(b) == tailBytes {
		b = tailbuf.AfterFirstLine(b)
	}
	return string(b)
}

// ResetTail forgets what name printed so far, for Tail: a cron job's next
// run starts with an empty tail, so the hook of a failed run gets that
// run's output (instances have their own per run: Pipes.Tail).
func (m *Mux) ResetTail(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tails, name)
}

// Tail returns the last lines name printed (at most a few KiB; the first,
// possibly partial, line of the window is dropped).
func (m *Mux) Tail(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tails[name]
	return lastLines(&t)
}

// Printf writes one of tend's own lines on stdout. It never waits for the
// stream: the line is queued (see muxqueue.go).
func (m *Mux) Printf(format string, args ...any) { m.own(Stdout, nil, format, args...) }

// Errorf writes one of tend's own lines on stderr, queued like Printf's.
func (m *Mux) Errorf(format string, args ...any) { m.own(Stderr, nil, format, args...) }

// PrintfAfter is Printf for a line about the end of process name: it is
// written after everything name wrote, that is once done is closed (the
// process's output is copied; Child.OutputDone), or once name's output has
// not moved for Grace (a background process it left may hold its
// pipes open). Later own lines keep their order behind it; the caller
// does not wait.
func (m *Mux) PrintfAfter(name string, done <-chan struct{}, format string, args ...any) {
	m.own(Stdout, &gate{done: done, read: m.progressOf(name)}, format, args...)
}

// ErrorfAfter is PrintfAfter on stderr.
func (m *Mux) ErrorfAfter(name string, done <-chan struct{}, format string, args ...any) {
	m.own(Stderr, &gate{done: done, read: m.progressOf(name)}, format, args...)
}

func (m *Mux) own(s Stream, g *gate, format string, args ...any) {
	m.ownLine(s, g, nil, format, args...)
}

func (m *Mux) ownReleasing(s Stream, h *Hold, format string, args ...any) {
	m.ownLine(s, nil, h, format, args...)
}

func (m *Mux) ownLine(s Stream, g *gate, h *Hold, format string, args ...any) {
	msg := fmt.Sprintf(format, args...) + "\n"
	if !m.opts.Prefix && !m.opts.JSON {
		// Raw output still needs tend's lines told apart from the app's.
		msg = tendName + ": " + msg
	}
	lw := m.newLineWriter(tendName, s)
	lw.Consume([]byte(msg)) // msg ends in "\n": nothing is left pending
	if g != nil && g.done == nil {
		g = nil
	}
	l := ownLine{stream: s, data: lw.Batch(), gate: g, release: h}
	if m.logs != nil {
		if !m.opts.Prefix && !m.opts.JSON {
			lw.Entry().Prefix = len(tendName + ": ")
		}
		l.log = lw.Entry()
	}
	m.enqueue(l)
}

// progressOf is the counter of the bytes read from name's pipes.
func (m *Mux) progressOf(name string) *atomic.Int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.progress[name]
	if p == nil {
		p = new(atomic.Int64)
		m.progress[name] = p
	}
	return p
}
