package output

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tend-run/tend/idlewait"
	"github.com/tend-run/tend/pipefd"
	"github.com/tend-run/tend/tailbuf"
)

// Pipes are the stdout and stderr of one child, copied by the Mux under
// one name. The Mux counts them among the output Drain waits for, so
// whoever starts a child need not keep its own count.
type Pipes struct {
	// Stdout and Stderr are the write ends, for the child.
	Stdout, Stderr *os.File

	m          *Mux
	name       string
	tee        *Tee
	outR, errR *os.File // errR is nil for a terminal: one stream
	raw        func([]byte)
	done       chan struct{}
	tail       runTail
}

// Pipes opens the two pipes of a child named name; tee, if not nil, also
// receives what comes through them. Call Started once the child has been
// started, or has failed to.
func (m *Mux) Pipes(name string, tee *Tee) (*Pipes, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("create stderr pipe: %w", err)
	}
	return &Pipes{Stdout: outW, Stderr: errW, m: m, name: name, tee: tee, outR: outR, errR: errR, done: make(chan struct{})}, nil
}

// TerminalPipes are the Pipes of a child on a pseudo-terminal: slave is
// its stdout and stderr alike (they are one stream on a terminal), and the
// Mux reads master (tend's own descriptor, which the Mux closes when the
// child's output ends) as its stdout, with the terminal's CR LF turned
// into LF. raw, if not nil, is handed each chunk as the terminal gave it,
// before any line is made of it: the live view of `tend attach`, where a
// debugger's prompt has no newline. raw must not keep the slice, nor block.
func (m *Mux) TerminalPipes(name string, master, slave *os.File, tee *Tee, raw func([]byte)) *Pipes {
	return &Pipes{Stdout: slave, Stderr: slave, m: m, name: name, tee: tee, outR: master, raw: raw, done: make(chan struct{})}
}

// Done is closed once everything written to both pipes (by the child and
// any descendant that inherited them) has been copied: every holder has
// closed them.
func (p *Pipes) Done() <-chan struct{} { return p.done }

// Started closes tend's copies of the write ends. If the child started
// (err == nil) the Mux begins copying; otherwise the read ends are closed
// too and Done is closed at once.
func (p *Pipes) Started(err error) {
	p.Stdout.Close()
	p.Stderr.Close()
	if err != nil {
		p.outR.Close()
		if p.errR != nil {
			p.errR.Close()
		}
		close(p.done)
		return
	}
	p.m.mu.Lock()
	p.m.pipes[p] = true
	p.m.mu.Unlock()
	var teeOut, teeErr io.Writer
	if p.tee != nil {
		teeOut, teeErr = p.tee.Stdout, p.tee.Stderr
	}
	type source struct {
		r   *os.File
		s   Stream
		tee io.Writer
	}
	sources := []source{{p.outR, Stdout, teeOut}, {p.errR, Stderr, teeErr}}
	if p.errR == nil {
		sources = sources[:1]
	}
	var copying atomic.Int32 // the last copier to finish closes done
	copying.Store(int32(len(sources)))
	for _, c := range sources {
		go func() {
			defer c.r.Close()
			var taps []io.Writer
			if p.m.opts.KeepTail {
				taps = append(taps, &p.tail)
			}
			if c.tee != nil {
				taps = append(taps, &bestEffort{w: c.tee, written: &p.tee.written})
			}
			tap := func(b []byte) {
				for _, w := range taps {
					_, _ = w.Write(b)
				}
			}
			if len(taps) == 0 {
				tap = nil
			}
			if p.errR == nil {
				_ = p.m.copyTapped(p.name, c.s, pipefd.Terminal(c.r, p.raw), tap)
			} else {
				_ = p.m.copyTapped(p.name, c.s, c.r, tap)
			}
			if copying.Add(-1) == 0 {
				p.m.forget(p)
				close(p.done)
			}
		}()
	}
}

// Tail returns the last lines this child (and what shares its pipes)
// printed, as Mux.Tail does for a name, but of this run only: a run
// started again under the same name has pipes of its own. Empty unless
// the Mux keeps tails.
func (p *Pipes) Tail() string { return p.tail.String() }

// runTail keeps the end of one run's output, both streams as they came.
type runTail struct {
	mu sync.Mutex
	b  tailbuf.Last
}

func (t *runTail) Write(data []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Keep(data, tailBytes)
	return len(data), nil
}

func (t *runTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return lastLines(&t.b)
}

// Abandon stops counting p among the output Drain waits for: its owner
// has waited for it already and said why it gives up (a process tend
// cannot reach holds the pipes). The copying goes on.
func (p *Pipes) Abandon() { p.m.forget(p) }

func (m *Mux) forget(p *Pipes) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pipes, p)
}

// openPipes are the pipes Drain waits for.
func (m *Mux) openPipes() []*Pipes {
	m.mu.Lock()
	defer m.mu.Unlock()
	open := make([]*Pipes, 0, len(m.pipes))
	for p := range m.pipes {
		open = append(open, p)
	}
	return open
}

// Tee receives a copy of a run's output (`tend cron run` through the
// control socket).
type Tee struct {
	Stdout, Stderr io.Writer

	written atomic.Int64 // bytes passed to the tee so far
}

// WaitIdle returns once done is closed, or once nothing has been passed to
// the tee for idle: a background process a run left may hold its pipes
// open indefinitely, while a slow caller still receiving output is waited
// for.
func (t *Tee) WaitIdle(done <-chan struct{}, idle time.Duration) {
	idlewait.Wait(done, nil, &t.written, idle, 0)
}

// bestEffort writes to w until the first error, then drops: a caller that
// went away must not stall the job's output.
type bestEffort struct {
	w       io.Writer
	err     error
	written *atomic.Int64 // counts what was passed on
}

func (b *bestEffort) Write(p []byte) (int, error) {
	if b.err == nil {
		_, b.err = b.w.Write(p)
		b.written.Add(int64(len(p)))
	}
	return len(p), nil
}
