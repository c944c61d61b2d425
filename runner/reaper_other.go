//go:build !linux

package runner

import "syscall"

// becomeSubreaper does nothing where the kernel has no child subreapers:
// orphans go to PID 1 as usual.
func becomeSubreaper() {}

// canFindChildren reports whether childrenOf works on this system.
const canFindChildren = false

// childrenOf is unsupported without /proc.
func childrenOf(ppid int) []int { return nil }

type procInfo struct {
	state byte
	ppid  int
	pgrp  int
}

func procStat(pid int) (procInfo, bool) { return procInfo{}, false }

func livingProcesses() []int { return nil }

// groupAlive reports whether the process group pgid still exists.
func groupAlive(pgid int, _ *Reaper) bool { return syscall.Kill(-pgid, 0) == nil }

// liveGroups is unknown without /proc: nil means "ask each group".
func liveGroups() map[int]bool { return nil }
