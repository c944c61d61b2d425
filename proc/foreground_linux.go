package proc

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// setForeground sets the terminal's foreground group with SIGTTOU blocked in
// the calling thread only: the kernel checks the caller's own mask, and
// tend's handlers (which may be forwarding SIGTTOU) stay as they are.
func setForeground(fd, pgid int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var block, old unix.Sigset_t
	block.Val[(unix.SIGTTOU-1)/64] |= 1 << ((uint(unix.SIGTTOU) - 1) % 64)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &block, &old); err != nil {
		return
	}
	_ = unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, pgid)
	_ = unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
}
