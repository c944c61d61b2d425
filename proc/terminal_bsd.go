//go:build darwin || freebsd || netbsd || openbsd

package proc

import "golang.org/x/sys/unix"

const ioctlReadTermios = unix.TIOCGETA
