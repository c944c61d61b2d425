package output

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// growPipe asks the kernel for a bigger buffer on the pipe r reads from
// (best effort: a user past its pipe-buffer quota keeps the default).
func growPipe(r io.Reader, size int) {
	if f, ok := r.(*os.File); ok {
		_, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, size)
	}
}
