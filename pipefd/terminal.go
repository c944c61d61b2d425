package pipefd

import (
	"errors"
	"io"
	"syscall"
)

// Terminal reads a pseudo-terminal's master, f. EIO is how the master
// reports that every holder of the slave has closed it: the end of the
// output, which Terminal reads as EOF. raw, if not nil, is handed each
// chunk as it was read; it must not keep the slice. The terminal's CR LF
// needs nothing here: the Mux makes every line's "\r\n" ending "\n", for
// pipes too.
func Terminal(f io.Reader, raw func([]byte)) io.Reader {
	return &terminalReader{f: f, raw: raw}
}

type terminalReader struct {
	f   io.Reader
	raw func([]byte)
}

func (t *terminalReader) Read(p []byte) (int, error) {
	n, err := t.f.Read(p)
	if n > 0 && t.raw != nil {
		t.raw(p[:n])
	}
	if errors.Is(err, syscall.EIO) {
		err = io.EOF
	}
	return n, err
}
