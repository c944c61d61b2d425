//go:build darwin || freebsd || netbsd || openbsd

package runner

import "golang.org/x/sys/unix"

const ioctlReadTermios = unix.TIOCGETA
