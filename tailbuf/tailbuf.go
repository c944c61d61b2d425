// Package tailbuf keeps the end of a run's output, bounded in bytes: what
// a failure hook gets (output.Mux.Tail, Pipes.Tail) and what a cron run's
// record keeps, with its error line.
package tailbuf

import "bytes"

// Last keeps the last bytes given to it, at most the bound given with
// each Keep. The zero value is empty; it is not safe for concurrent use.
type Last struct {
	b   []byte
	cut bool
}

// Keep appends p and drops bytes from the front beyond n.
func (t *Last) Keep(p []byte, n int) {
	if len(p) > n {
		p = p[len(p)-n:]
		t.cut = true
	}
	b := append(t.b, p...)
	if len(b) > n {
		b = b[:copy(b, b[len(b)-n:])]
		t.cut = true
	}
	t.b = b
}

// Bytes is what is kept; it is valid until the next Keep.
func (t *Last) Bytes() []byte { return t.b }

// Cut reports whether Keep ever dropped bytes: the first kept line may
// be partial.
func (t *Last) Cut() bool { return t.cut }

// AfterFirstLine is b without its first line (and its '\n'); b itself when
// it has no '\n'.
func AfterFirstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
