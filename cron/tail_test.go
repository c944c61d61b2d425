package cron

import (
	"strings"
	"testing"

	"github.com/tend-run/tend/output"
)

// The tail keeps the last bytes of both streams in the order written, and
// the first whole line of the kept stderr; a caller's tee that fails
// stops getting output, the tail does not.
func TestRunTail(t *testing.T) {
	tail := &runTail{size: 20}
	caller := &failingWriter{left: 1}
	tee := teeWith(tail, &output.Tee{Stdout: caller})
	_, _ = tee.Stdout.Write([]byte("out 1\n"))
	_, _ = tee.Stderr.Write([]byte("first error\nsecond\n"))
	_, _ = tee.Stdout.Write([]byte("out 2\n"))
	if got, all := tail.output(), "out 1\nfirst error\nsecond\nout 2\n"; got != all[len(all)-20:] {
		t.Errorf("output %q", got)
	}
	if got := tail.errorLine(); got != "first error" {
		t.Errorf("error line %q", got)
	}
	if caller.writes != 2 {
		t.Errorf("the failed caller got %d writes, want 2 (then none)", caller.writes)
	}
	long := &runTail{size: 16}
	_, _ = teeWith(long, nil).Stderr.Write([]byte(strings.Repeat("x", 20) + "\ncut-free line\n"))
	if got := long.errorLine(); got != "cut-free line" {
		t.Errorf("a cut first line was taken: %q", got)
	}
}

type failingWriter struct{ left, writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.left == 0 {
		return 0, errClosedWriter
	}
	w.left--
	return len(p), nil
}

var errClosedWriter = &writeError{}

type writeError struct{}

func (*writeError) Error() string { return "closed" }
