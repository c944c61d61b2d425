package pipefd

import (
	"golang.org/x/sys/unix"
)

// GrowFd asks the kernel for a size-byte buffer on the pipe fd (best
// effort: a user past its pipe-buffer quota keeps the default). fd comes
// from a RawConn's Control, which leaves the file in non-blocking mode,
// unlike Fd.
func GrowFd(fd uintptr, size int) {
	_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size)
}
