package output

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// terminalReader reads a pseudo-terminal's master. EIO is how the master
// reports that every holder of the slave has closed it: the end of the
// output. The terminal's CR LF needs nothing here: every line's "\r\n"
// ending becomes "\n" in the lineWriter, for pipes too.
type terminalReader struct {
	f   *os.File
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
