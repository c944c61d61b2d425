package proc

import (
	"os"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes orphaned descendants re-parent to tend instead of
// PID 1, so they can be reaped and signalled. PID 1 is a reaper already.
func becomeSubreaper() {
	if os.Getpid() != 1 {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	}
}
