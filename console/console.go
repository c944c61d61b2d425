// Package console gives a child a pseudo-terminal held by tend (--tty):
// the child's output goes to the Mux like any other child's, in whole,
// prefixed lines, and its keyboard is whatever one `tend attach` session
// (or tend's own terminal, in the foreground) sends.
package console

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/creack/pty"

	"github.com/tend-run/tend/output"
)

// ErrAttached is returned by Attach while another session is attached.
var ErrAttached = errors.New("another tend attach is connected to it")

// sessionBuffer is how many chunks of output a session may fall behind
// before it loses some: a terminal that does not keep up must never stall
// the child's output or the Mux.
const sessionBuffer = 256

// Console is one child's pseudo-terminal.
type Console struct {
	name   string
	master *os.File // tend's end: input and window size
	pipes  *output.Pipes

	mu      sync.Mutex
	session *Session
	closed  bool
}

// Open opens a pseudo-terminal for the child named name, whose output m
// copies (and tee, if not nil). Give Pipes().Stdout to the child as its
// stdin, stdout and stderr, then call Pipes().Started.
func Open(m *output.Mux, name string, tee *output.Tee) (*Console, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open a pseudo-terminal for %s: %w", name, err)
	}
	// The Mux reads (and closes) a descriptor of its own, so that input
	// can still be written to master until the child's output is done.
	reader, err := dup(master)
	if err != nil {
		master.Close()
		slave.Close()
		return nil, fmt.Errorf("open a pseudo-terminal for %s: %w", name, err)
	}
	c := &Console{name: name, master: master}
	c.pipes = m.TerminalPipes(name, reader, slave, tee, c.tap)
	go func() {
		<-c.pipes.Done()
		c.close()
	}()
	return c, nil
}

// Pipes are the child's side: Stdout (also Stderr) is the terminal.
func (c *Console) Pipes() *output.Pipes { return c.pipes }

// Resize sets the terminal's window size; the kernel tells the child's
// foreground group with SIGWINCH.
func (c *Console) Resize(rows, cols uint16) error {
	if rows == 0 || cols == 0 {
		return nil
	}
	return pty.Setsize(c.master, &pty.Winsize{Rows: rows, Cols: cols})
}

// Write types p on the child's keyboard.
func (c *Console) Write(p []byte) (int, error) { return c.master.Write(p) }

// Attach connects a session: it receives the child's output as the
// terminal gives it, from now on, and its Write is the keyboard. One
// session at a time.
func (c *Console) Attach() (*Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("%s has exited", c.name)
	}
	if c.session != nil {
		return nil, fmt.Errorf("%s: %w", c.name, ErrAttached)
	}
	s := &Session{c: c, output: make(chan []byte, sessionBuffer)}
	c.session = s
	return s, nil
}

// tap passes a chunk of output to the attached session, if any, without
// ever waiting for it.
func (c *Console) tap(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return
	}
	select {
	case c.session.output <- append([]byte(nil), p...):
	default:
		c.session.dropped = true
	}
}

// close ends the console once the child's output is done: the session's
// output ends and tend's end of the terminal is closed.
func (c *Console) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.session != nil {
		close(c.session.output)
		c.session = nil
	}
	c.master.Close()
}

// Session is one `tend attach`.
type Session struct {
	c       *Console
	output  chan []byte
	dropped bool // guarded by c.mu
}

// Output delivers the child's output; it is closed when the child's
// output ends (it exited) or on Detach.
func (s *Session) Output() <-chan []byte { return s.output }

// Write types p on the child's keyboard.
func (s *Session) Write(p []byte) (int, error) { return s.c.Write(p) }

// Resize passes the session's window size on.
func (s *Session) Resize(rows, cols uint16) error { return s.c.Resize(rows, cols) }

// Detach ends the session; the child keeps running.
func (s *Session) Detach() {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == s {
		close(s.output)
		c.session = nil
	}
}

// SizeOf is the window size of the terminal f.
func SizeOf(f *os.File) (*pty.Winsize, error) { return pty.GetsizeFull(f) }
