package output

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// terminalReader reads a pseudo-terminal's master: the CR LF a terminal
// ends its lines with becomes LF (a CR that ends one read waits for the
// next, which says whether an LF follows), and EIO, which is how the
// master reports that every holder of the slave has closed it, is the end.
type terminalReader struct {
	f      *os.File
	raw    func([]byte)
	heldCR bool
}

func (t *terminalReader) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	off := 0
	if t.heldCR {
		p[0], off = '\r', 1
	}
	n, err := t.f.Read(p[off:])
	if n > 0 && t.raw != nil {
		t.raw(p[off : off+n])
	}
	if errors.Is(err, syscall.EIO) {
		err = io.EOF
	}
	data := p[:off+n]
	w := 0
	for i, b := range data {
		if b == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			continue
		}
		data[w] = b
		w++
	}
	t.heldCR = err == nil && w > 0 && data[w-1] == '\r'
	if t.heldCR {
		w--
	}
	return w, err
}
