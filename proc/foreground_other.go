//go:build !linux

package proc

import (
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// setForeground sets the terminal's foreground group with SIGTTOU ignored
// for the call (there is no per-thread mask to use here). A SIGTTOU that
// arrives meanwhile is lost; tend's own handling of it resumes afterwards.
func setForeground(fd, pgid int) {
	signal.Ignore(syscall.SIGTTOU)
	_ = unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, pgid)
	renotifyTTOU()
}

// renotifyTTOU gives SIGTTOU back to its listeners after signal.Ignore.
func renotifyTTOU() {
	ttouListeners.Lock()
	defer ttouListeners.Unlock()
	for _, c := range ttouListeners.chans {
		signal.Notify(c, syscall.SIGTTOU)
	}
}
