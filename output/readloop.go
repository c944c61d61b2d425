package output

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/tend-run/tend/linebatch"
	"github.com/tend-run/tend/pipefd"
)

// copier is one Copy: it reads r and passes each chunk to its line writer.
type copier struct {
	lw   *linebatch.Writer
	read *atomic.Int64 // bytes read, for ordered own lines
	tap  func([]byte)  // sees every chunk as read (tails, tees); may be nil
	held <-chan struct{}
}

// Copy reads r until EOF and prints every line under name on stream s. It
// is r's only reader; a last line without a newline is completed. When a
// write fails (the log reader went away) it keeps reading, so the child
// never blocks on a full pipe, and returns the first write error at EOF.
func (m *Mux) Copy(name string, s Stream, r io.Reader) error {
	return m.copyTapped(name, s, r, nil)
}

// copyTapped is Copy with tap handed every chunk before its lines are
// made (tap must not keep the slice). A pipe (an *os.File) is read with
// pooled buffers taken only while it is readable (pipefd.ReadPooled); any
// other reader with one buffer of its own.
func (m *Mux) copyTapped(name string, s Stream, r io.Reader, tap func([]byte)) error {
	c := &copier{lw: m.newLineWriter(name, s), read: m.progressOf(name), tap: tap, held: m.heldBy(name, s)}
	var err error
	if f, ok := r.(*os.File); ok {
		err = pipefd.ReadPooled(f, c.lw.Carry, c.pass)
	} else {
		err = c.fromReader(r)
	}
	c.lw.Finish()
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
		return c.lw.Err()
	}
	if c.lw.Err() != nil {
		return c.lw.Err()
	}
	return fmt.Errorf("read output of %s: %w", name, err)
}

// fromReader is the loop for a reader that is not a pipe; its lines are
// always copied into the batch (its buffer is read into again).
func (c *copier) fromReader(r io.Reader) error {
	buf := make([]byte, readSize)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			c.before(buf[:n])
			c.lw.Consume(buf[:n])
			c.release()
			c.lw.Flush()
		}
		if err != nil {
			return err
		}
	}
}

// pass hands one pooled read (data[off:], after off bytes of a carried
// line) on and returns the buffer for the pool (see linebatch.Writer.ConsumeAndFlush).
func (c *copier) pass(data []byte, off int) []byte {
	c.before(data[off:])
	if c.held != nil {
		c.lw.Consume(data[off:])
		c.release()
		c.lw.Flush()
		return data
	}
	return c.lw.ConsumeAndFlush(data, off)
}

// before counts and taps what was read.
func (c *copier) before(chunk []byte) {
	c.read.Add(int64(len(chunk)))
	if c.tap != nil {
		c.tap(chunk)
	}
}

// release waits, once, for the announcing line this copy's first write
// must follow.
func (c *copier) release() {
	if c.held != nil {
		<-c.held
		c.held = nil
	}
}
