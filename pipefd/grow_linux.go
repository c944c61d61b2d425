package pipefd

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Grow asks the kernel for a size-byte buffer on the pipe r reads from
// (best effort: a user past its pipe-buffer quota keeps the default).
func Grow(r io.Reader, size int) {
	if f, ok := r.(*os.File); ok {
		_, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, size)
	}
}
