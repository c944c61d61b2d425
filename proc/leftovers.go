package proc

import (
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/tend-run/tend/procfs"
)

// leftoverPoll is how often StopLeftovers looks for processes still alive.
const leftoverPoll = 20 * time.Millisecond

// Leftovers lists the live processes tend has adopted but did not start:
// descendants whose parents exited, re-parented to tend as subreaper or as
// PID 1. Zombies are not listed (the reaper collects them).
func (r *Reaper) Leftovers() []int {
	if !procfs.CanFindChildren {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, pid := range procfs.Children(self) {
		r.mu.Lock()
		_, ours := r.children[pid]
		r.mu.Unlock()
		if ours {
			continue
		}
		if st, ok := procfs.Stat(pid); ok && st.State != 'Z' && st.State != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// signalLeftovers sends sig to every leftover (and its group, which is how
// a setsid'd daemon's own children are reached). As PID 1 it uses kill(-1),
// which reaches every process in the namespace but tend; it never does so
// otherwise, since outside a PID namespace that would hit the whole host.
func (r *Reaper) signalLeftovers(sig syscall.Signal) int {
	if os.Getpid() == 1 {
		if err := syscall.Kill(-1, sig); errors.Is(err, syscall.ESRCH) {
			return 0
		}
		return 1
	}
	pids := r.Leftovers()
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
		if st, ok := procfs.Stat(pid); ok && st.Pgrp == pid {
			_ = syscall.Kill(-pid, sig)
		}
	}
	return len(pids)
}

// anyLeft reports whether a leftover process is still alive.
func (r *Reaper) anyLeft() bool {
	if os.Getpid() == 1 && procfs.CanFindChildren {
		return len(procfs.Living()) > 0
	}
	return len(r.Leftovers()) > 0
}

// StopLeftovers sends sig to the leftovers, waits until grace has passed
// for them to go (new orphans keep appearing while their parents exit, so
// it repeats the signal), then SIGKILLs whatever is left until nothing is.
// It reports how many processes it found and whether it had to SIGKILL.
func (r *Reaper) StopLeftovers(sig syscall.Signal, grace time.Duration) (found int, killed bool) {
	if !procfs.CanFindChildren && os.Getpid() != 1 {
		return 0, false
	}
	deadline := time.Now().Add(grace)
	signalled := map[int]bool{}
	if os.Getpid() == 1 && r.anyLeft() {
		found = len(procfs.Living())
		r.signalLeftovers(sig)
	}
	for r.anyLeft() && time.Now().Before(deadline) {
		for _, pid := range r.Leftovers() {
			if !signalled[pid] {
				signalled[pid] = true
				_ = syscall.Kill(pid, sig)
				if st, ok := procfs.Stat(pid); ok && st.Pgrp == pid {
					_ = syscall.Kill(-pid, sig)
				}
			}
		}
		time.Sleep(leftoverPoll)
	}
	for i := 0; i < 500 && r.anyLeft(); i++ {
		killed = true
		r.signalLeftovers(syscall.SIGKILL)
		time.Sleep(leftoverPoll)
	}
	return max(found, len(signalled)), killed
}
