package cron

import (
	"io"
	"strings"
	"sync"

	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/tailbuf"
)

// errTailSize bounds the stderr tail kept for a run's error line.
const errTailSize = 4 << 10

// runTail keeps the last bytes of one run's output, both streams as they
// came, and the last bytes of its stderr alone. The Mux's two copiers
// write to it at once.
type runTail struct {
	mu   sync.Mutex
	size int
	all  tailbuf.Last
	errs tailbuf.Last
}

func (t *runTail) write(p []byte, stderr bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.all.Keep(p, t.size)
	if stderr {
		t.errs.Keep(p, min(t.size, errTailSize))
	}
}

// output is the kept tail of both streams.
func (t *runTail) output() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.all.Bytes())
}

// errorLine is the first whole non-empty line of the kept stderr (the
// first line may be cut when more was written than kept).
func (t *runTail) errorLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.errs.Bytes()
	if t.errs.Cut() {
		b = tailbuf.AfterFirstLine(b) // the first line was cut
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// tailWriter writes to the tail, and to next (a caller's tee) until next
// fails; it never fails itself, so the tail sees everything.
type tailWriter struct {
	t      *runTail
	stderr bool
	next   io.Writer
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.t.write(p, w.stderr)
	if w.next != nil {
		if _, err := w.next.Write(p); err != nil {
			w.next = nil
		}
	}
	return len(p), nil
}

// teeWith is the tee a run's output goes to: the tail, and the caller's
// tee if there is one (its writers wrapped in place, so that the caller's
// WaitIdle still sees the output flow).
func teeWith(t *runTail, tee *output.Tee) *output.Tee {
	if tee == nil {
		tee = &output.Tee{}
	}
	tee.Stdout = &tailWriter{t: t, next: tee.Stdout}
	tee.Stderr = &tailWriter{t: t, stderr: true, next: tee.Stderr}
	return tee
}
