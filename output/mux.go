package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Output buffer sizes: one read is at most readSize bytes; a line is kept
// whole up to maxLine bytes (2 MiB: a 1 MiB JSON record and its framing stay
// one line) and passed on in maxLine pieces beyond that.
// Grace bounds the wait for output pipes once every process is gone:
// only a descendant tend cannot reach still holds one open.
const Grace = 2 * time.Second

// tailBytes bounds the output tail kept per process for failure hooks.
const tailBytes = 4 << 10

const (
	readSize = 64 << 10
	maxLine  = 2 << 20
	// keepBatch is the batch capacity kept between reads; a batch that grew
	// for one long line is released.
	keepBatch = 256 << 10
)

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
	opts OutputOptions

	mu       sync.Mutex // guards the fields below; never held across I/O
	width    int
	palette  map[string]string
	next     int
	tails    map[string][]byte
	progress map[string]*atomic.Int64 // bytes read per name, for ordered own lines

	out outState // the write path: its lock, the own-line queue, broken streams

	copiers sync.WaitGroup // the copiers of every Pipes, for Drain
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
	m := &Mux{opts: opts, width: len(tendName), palette: map[string]string{tendName: "1"}, progress: map[string]*atomic.Int64{}}
	m.out.init(opts.Stdout, opts.Stderr)
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

// Copy reads r until EOF and prints every line under name on stream s. It
// is r's only reader; a last line without a newline is completed. When a
// write fails (the log reader went away) it keeps reading, so the child
// never blocks on a full pipe, and returns the first write error at EOF.
func (m *Mux) Copy(name string, s Stream, r io.Reader) error {
	lw := m.newLineWriter(name, s)
	read := m.progressOf(name)
	buf := make([]byte, readSize)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			read.Add(int64(n))
			lw.consume(buf[:n])
			lw.flush()
		}
		if err != nil {
			lw.finish()
			if errors.Is(err, io.EOF) || isClosedPipe(err) {
				return lw.err
			}
			if lw.err != nil {
				return lw.err
			}
			return fmt.Errorf("read output of %s: %w", name, err)
		}
	}
}

// isClosedPipe reports the error a read gets when the pipe's other end is
// gone in an unusual way; it ends the copy like EOF.
func isClosedPipe(err error) bool {
	return errors.Is(err, io.ErrClosedPipe)
}

// lineWriter turns one producer's bytes into prefixed lines.
type lineWriter struct {
	m       *Mux
	name    string
	stream  Stream
	pending []byte // an incomplete line carried between reads
	batch   []byte // formatted lines waiting for the next write
	err     error
	stamp   int64 // the second tsCache was made for
	tsCache []byte
	// now is read once per batch (a read's lines arrived together), and
	// jsonTime is its RFC 3339 form, so no line pays for the clock.
	now      time.Time
	jsonTime []byte
	// colorOn and namePart are the cached pieces of the prefix.
	colorOn  []byte
	namePart []byte
}

func (m *Mux) newLineWriter(name string, s Stream) *lineWriter {
	return &lineWriter{m: m, name: name, stream: s, stamp: -1}
}

// keepTail remembers the end of a name's output, bounded.
func (m *Mux) keepTail(name string, data []byte) {
	if len(data) > tailBytes {
		data = data[len(data)-tailBytes:]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tails == nil {
		m.tails = map[string][]byte{}
	}
	t := append(m.tails[name], data...)
	if len(t) > tailBytes {
		t = append(t[:0:0], t[len(t)-tailBytes:]...)
	}
	m.tails[name] = t
}

// Tail returns the last lines name printed (at most a few KiB; the first,
// possibly partial, line of the window is dropped).
func (m *Mux) Tail(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tails[name]
	if len(t) == tailBytes {
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			t = t[i+1:]
		}
	}
	return string(t)
}

// consume splits data into lines; complete ones go to the batch.
func (lw *lineWriter) consume(data []byte) {
	if lw.m.opts.KeepTail {
		lw.m.keepTail(lw.name, data)
	}
	lw.refreshPrefix()
	lw.tick()
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
		lw.jsonTime = lw.now.AppendFormat(lw.jsonTime[:0], time.RFC3339Nano)
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
	if o.JSON {
		lw.batch = lw.appendJSON(lw.batch, line)
		return
	}
	if o.Prefix {
		lw.batch = lw.appendPrefix(lw.batch)
	}
	lw.batch = append(lw.batch, line...)
	lw.batch = append(lw.batch, '\n')
}

// refreshPrefix recomputes the name part of the prefix, once per read
// rather than once per line (names may be re-padded by SetNames).
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
	lw.colorOn = lw.colorOn[:0]
	if color != "" {
		lw.colorOn = append(append(append(lw.colorOn, "\x1b["...), color...), 'm')
	}
	b := append(lw.namePart[:0], lw.name...)
	for i := len(lw.name); i < width; i++ {
		b = append(b, ' ')
	}
	b = append(b, " |"...)
	if color != "" {
		b = append(b, "\x1b[0m"...)
	}
	lw.namePart = append(b, ' ')
}

// appendPrefix appends "[15:04:05 ]name<pad> | ", coloured when asked.
func (lw *lineWriter) appendPrefix(b []byte) []byte {
	b = append(b, lw.colorOn...)
	if lw.m.opts.Timestamps {
		b = append(b, lw.timestamp()...)
		b = append(b, ' ')
	}
	return append(b, lw.namePart...)
}

// timestamp formats the clock once per second, not once per line.
func (lw *lineWriter) timestamp() []byte {
	if sec := lw.now.Unix(); sec != lw.stamp {
		lw.stamp = sec
		lw.tsCache = lw.now.AppendFormat(lw.tsCache[:0], "15:04:05")
	}
	return lw.tsCache
}

func (lw *lineWriter) appendJSON(b, line []byte) []byte {
	b = append(b, `{"time":`...)
	b = append(b, '"')
	b = append(b, lw.jsonTime...)
	b = append(b, '"')
	b = append(b, `,"process":`...)
	b = appendJSONString(b, []byte(lw.name))
	b = append(b, `,"stream":"`...)
	b = append(b, lw.stream.String()...)
	b = append(b, `","line":`...)
	b = appendJSONString(b, line)
	return append(b, "}\n"...)
}

// appendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[:size]...)
		}
		s = s[size:]
	}
	return append(b, '"')
}

// flush writes the batch with one Write under the Mux's write lock.
func (lw *lineWriter) flush() {
	if len(lw.batch) == 0 {
		return
	}
	if lw.err == nil {
		if err := lw.m.write(lw.stream, lw.batch); err != nil {
			lw.err = fmt.Errorf("write output of %s: %w", lw.name, err)
		}
	}
	lw.batch = lw.batch[:0]
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
	msg := fmt.Sprintf(format, args...) + "\n"
	if !m.opts.Prefix && !m.opts.JSON {
		// Raw output still needs tend's lines told apart from the app's.
		msg = tendName + ": " + msg
	}
	lw := m.newLineWriter(tendName, s)
	lw.consume([]byte(msg))
	lw.pending = nil
	if g != nil && g.done == nil {
		g = nil
	}
	m.enqueue(ownLine{stream: s, data: lw.batch, gate: g})
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

// Writer returns a writer whose bytes print like Copy's input, for
// producers inside tend; Close prints a last incomplete line.
func (m *Mux) Writer(name string, s Stream) io.WriteCloser {
	return &muxWriter{lw: m.newLineWriter(name, s)}
}

type muxWriter struct {
	mu sync.Mutex
	lw *lineWriter
}

func (w *muxWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lw.consume(p)
	w.lw.flush()
	return len(p), w.lw.err
}

func (w *muxWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lw.finish()
	return w.lw.err
}
