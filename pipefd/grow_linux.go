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

// GrowFd is Grow for a raw descriptor (from a RawConn's Control, which
// leaves the file in non-blocking mode, unlike Fd).
func GrowFd(fd uintptr, size int) {
	_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size)
}
