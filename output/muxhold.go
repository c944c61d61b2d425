package output

import "sync"

// A process's first output must not come before tend's line saying that it
// started, but that line is queued (tend never waits on its output) while
// the process's output is copied at once. Hold makes the copy wait for the
// line: the supervisor holds a name's output before it starts the process,
// and the line it then prints releases it once written (or dropped). Only
// the streams that share the line's queue wait: order between two
// different files means nothing, and a stalled stdout must not hold
// stderr.

// Hold is a name's output held back until its announcing line is written.
type Hold struct {
	m    *Mux
	name string
	c    chan struct{}
	once sync.Once
}

// HoldOutput holds name's next output until Printf or Release on the
// returned Hold.
func (m *Mux) HoldOutput(name string) *Hold {
	h := &Hold{m: m, name: name, c: make(chan struct{})}
	m.mu.Lock()
	if m.holds == nil {
		m.holds = map[string]*Hold{}
	}
	m.holds[name] = h
	m.mu.Unlock()
	return h
}

// Printf queues one of tend's own lines on stdout; name's output follows it.
func (h *Hold) Printf(format string, args ...any) {
	h.m.ownReleasing(Stdout, h, format, args...)
}

// Release lets name's output go without a line (the process did not start).
func (h *Hold) Release() {
	h.once.Do(func() {
		h.m.mu.Lock()
		if h.m.holds[h.name] == h {
			delete(h.m.holds, h.name)
		}
		h.m.mu.Unlock()
		close(h.c)
	})
}

// heldBy returns what a copy of name's stream s waits for before its first
// write: nil if nothing.
func (m *Mux) heldBy(name string, s Stream) <-chan struct{} {
	m.mu.Lock()
	h := m.holds[name]
	m.mu.Unlock()
	if h == nil || m.out.queues[s] != m.out.queues[Stdout] {
		return nil
	}
	return h.c
}

// done is Release for a line's optional Hold.
func (h *Hold) done() {
	if h != nil {
		h.Release()
	}
}
