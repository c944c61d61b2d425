package proc

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The terminal's foreground process group decides who reads the keyboard
// and who gets Ctrl-C and Ctrl-Z. tend gives it to its child only when tend
// has it itself (a shell started `tend … &` in the background keeps it),
// and takes it back only from its own child.

// foregroundGroup is the terminal's foreground process group, or 0 if fd is
// not a terminal.
func foregroundGroup(fd int) int {
	pgid, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	if err != nil {
		return 0
	}
	return pgid
}

// inForeground reports whether tend's process group is the foreground group
// of the terminal on stdin.
func inForeground() bool {
	return foregroundGroup(int(os.Stdin.Fd())) == syscall.Getpgrp()
}

// giveTerminal makes pgid the foreground group of the terminal on stdin. A
// process outside the foreground group that does this gets SIGTTOU (and
// would stop) unless the signal is blocked or ignored, so setForeground
// keeps it off for the call.
func giveTerminal(pgid int) {
	setForeground(int(os.Stdin.Fd()), pgid)
}

// reclaimTerminal takes the terminal back for tend if child's group has it.
func reclaimTerminal(child *Child) {
	fd := int(os.Stdin.Fd())
	if foregroundGroup(fd) == child.Pid {
		setForeground(fd, syscall.Getpgrp())
	}
}

// InForeground reports whether tend's process group is the foreground
// group of the terminal on stdin.
func InForeground() bool { return inForeground() }
