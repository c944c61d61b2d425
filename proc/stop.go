package proc

import (
	"syscall"
	"time"
)

// Stoppable is a started process: a *Child, or a test's fake.
type Stoppable interface {
	Done() <-chan struct{}
	Signal(sig syscall.Signal, group bool) error
}

// Stop is "stop signal, grace, SIGKILL": it sends sig (to the group if
// group), then waits until p has exited, grace fires (a timer's channel:
// time.After, or a fake clock's) or kill is closed (nil: never), and then
// SIGKILLs p's group unless it exited. It reports whether SIGKILL was sent.
// The supervisor's drain and exec mode do the same from their event
// loops, which must keep handling signals meanwhile.
func Stop(p Stoppable, sig syscall.Signal, group bool, grace <-chan time.Time, kill <-chan struct{}) (killed bool) {
	_ = p.Signal(sig, group)
	select {
	case <-p.Done():
		return false
	case <-grace:
	case <-kill:
	}
	_ = p.Signal(syscall.SIGKILL, true)
	return true
}
