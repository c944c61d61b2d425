package linebatch

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/logbuf"
)

// recorder is a Sink that keeps what was written, one string per write,
// and the line counts and prefix lengths the entries carried; it hands
// each written buffer back for reuse (as the log buffers do when they
// copied it).
type recorder struct {
	width  int
	color  string
	writes []string
	lines  int64
	prefix []int
	tail   bytes.Buffer
	fail   error
}

func (r *recorder) Style(string) (int, string) { return r.width, r.color }
func (r *recorder) Tail(_ string, data []byte) { r.tail.Write(data) }
func (r *recorder) Write(b []byte, e *logbuf.Entry) error {
	if r.fail != nil {
		return r.fail
	}
	r.writes = append(r.writes, string(b))
	if e != nil {
		r.lines += e.Lines
		r.prefix = append(r.prefix, e.Prefix)
		e.Reuse = b[:0]
	}
	return nil
}

func (r *recorder) out() string { return strings.Join(r.writes, "") }

func clock() time.Time { return time.Date(2026, 11, 24, 9, 8, 7, 123456789, time.UTC) }

// TestFormats checks the bytes of each format, a read's complete lines
// written in one write, a "\r\n" ending made "\n", and the last line
// without a newline completed by Finish.
func TestFormats(t *testing.T) {
	cases := []struct {
		name  string
		opts  Options
		color string
		want  []string
		pre   int // the prefix length the log entries carry
	}{
		{"prefix", Options{Prefix: true}, "", []string{"web  | a\nweb  | b\n", "web  | c\n"}, 7},
		{"timestamps", Options{Prefix: true, Timestamps: true}, "", []string{"09:08:07 web  | a\n09:08:07 web  | b\n", "09:08:07 web  | c\n"}, 16},
		{"colour", Options{Prefix: true}, "36", []string{"\x1b[36mweb  |\x1b[0m a\n\x1b[36mweb  |\x1b[0m b\n", "\x1b[36mweb  |\x1b[0m c\n"}, 16},
		{"raw", Options{}, "", []string{"a\nb\n", "c\n"}, 0},
		{"json", Options{JSON: true, Prefix: true}, "", []string{
			`{"time":"2026-11-24T09:08:07.123456789Z","process":"web","stream":"stderr","line":"a"}` + "\n" +
				`{"time":"2026-11-24T09:08:07.123456789Z","process":"web","stream":"stderr","line":"b"}` + "\n",
			`{"time":"2026-11-24T09:08:07.123456789Z","process":"web","stream":"stderr","line":"c"}` + "\n"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Now = clock
			c.opts.Logs = true
			r := &recorder{width: 4, color: c.color}
			w := New("web", "stderr", &c.opts, r)
			w.Consume([]byte("a\r\nb\nc"))
			w.Flush()
			w.Finish()
			if fmt.Sprintf("%q", r.writes) != fmt.Sprintf("%q", c.want) {
				t.Errorf("writes\n%q\nwant\n%q", r.writes, c.want)
			}
			if r.lines != 3 {
				t.Errorf("entries counted %d lines, want 3", r.lines)
			}
			for _, p := range r.prefix {
				if p != c.pre {
					t.Errorf("an entry's prefix is %d bytes, want %d", p, c.pre)
				}
			}
		})
	}
}

// TestLongLinePieces: a line longer than MaxLine goes out in MaxLine
// pieces, in order, and a "\r\n" cut between two reads right after
// MaxLine bytes ends the line instead of becoming a piece.
func TestLongLinePieces(t *testing.T) {
	opts := Options{Now: clock}
	r := &recorder{}
	w := New("p", "stdout", &opts, r)
	long := strings.Repeat("a", MaxLine) + strings.Repeat("b", MaxLine) + "ccc"
	for i := 0; i < len(long); i += 100 << 10 {
		w.Consume([]byte(long[i:min(i+100<<10, len(long))]))
		w.Flush()
	}
	w.Consume([]byte("\n" + strings.Repeat("d", MaxLine) + "\r"))
	w.Flush()
	w.Consume([]byte("\nend\n"))
	w.Finish()
	want := strings.Repeat("a", MaxLine) + "\n" + strings.Repeat("b", MaxLine) + "\n" + "ccc\n" +
		strings.Repeat("d", MaxLine) + "\n" + "end\n"
	if got := r.out(); got != want {
		t.Fatalf("%d bytes out, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
}

// TestRawPathAsTheBatchMakesIt: with no prefix, reads cut anywhere and
// passed on the raw way (Carry, then ConsumeAndFlush on the read buffer)
// give exactly the bytes, line counts and tail the batch way gives.
func TestRawPathAsTheBatchMakesIt(t *testing.T) {
	const bufSize = 64 << 10
	input := testkit.ChildOutput(bufSize)
	opts := Options{Now: clock, Logs: true, KeepTail: true}

	batch := &recorder{}
	bw := New("p", "stdout", &opts, batch)
	for _, line := range bytes.SplitAfter(input, []byte{'\n'}) {
		bw.Consume(line)
		bw.Flush()
	}
	bw.Finish()
	want := batch.out()
	if !strings.HasPrefix(want, "line 0 \nline 1 x\n") || !strings.Contains(want, "dos line\n\n") ||
		!strings.HasSuffix(want, "\nno newline at the end\n") {
		t.Fatalf("the batch way made %.60q...%q", want, want[max(0, len(want)-60):])
	}

	for seed := range uint64(3) {
		raw := &recorder{}
		rw := New("p", "stdout", &opts, raw)
		rnd := rand.New(rand.NewPCG(seed, 1))
		buf := make([]byte, bufSize)
		for data := input; len(data) > 0; {
			off := rw.Carry(buf)
			n := copy(buf[off:], data[:min(len(data), 1+rnd.IntN(bufSize))])
			data = data[n:]
			if back := rw.ConsumeAndFlush(buf[:off+n], off); &back[:1][0] != &buf[0] {
				t.Fatal("ConsumeAndFlush did not give the read buffer back")
			}
		}
		rw.Finish()
		if got := raw.out(); got != want {
			t.Fatalf("seed %d: %d bytes out, want %d; first difference at %d", seed, len(got), len(want), firstDiff(got, want))
		}
		if raw.lines != batch.lines {
			t.Errorf("seed %d: entries counted %d lines, the batch way %d", seed, raw.lines, batch.lines)
		}
		if !bytes.Equal(raw.tail.Bytes(), input) {
			t.Errorf("seed %d: the tail saw %d bytes, want the %d read", seed, raw.tail.Len(), len(input))
		}
	}
}

// TestWriteErrorKeepsConsuming: after a failed write the Writer writes no
// more, keeps taking input, and reports the first error with the name.
func TestWriteErrorKeepsConsuming(t *testing.T) {
	opts := Options{Prefix: true, Now: clock}
	broken := errors.New("broken pipe")
	r := &recorder{width: 1, fail: broken}
	w := New("p", "stdout", &opts, r)
	w.Consume([]byte("one\n"))
	w.Flush()
	r.fail = nil
	w.Consume([]byte("two\n"))
	w.Finish()
	if len(r.writes) != 0 {
		t.Errorf("wrote %q after the error", r.writes)
	}
	if err := w.Err(); !errors.Is(err, broken) || !strings.Contains(err.Error(), "write output of p") {
		t.Errorf("Err() = %v", err)
	}
	if len(w.Batch()) != 0 {
		t.Errorf("the batch kept %q", w.Batch())
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
