package pipefd

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	before, err := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Skip(err)
	}
	raw, err := r.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.Control(func(fd uintptr) { GrowFd(fd, 4*before) })
	after, _ := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
	if after != 4*before && after != before { // a quota may refuse it
		t.Errorf("pipe size %d after GrowFd(%d), was %d", after, 4*before, before)
	}
}
