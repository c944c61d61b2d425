//go:build !linux

package proc

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

// GroupAlive reports whether the process group pgid still exists.
func GroupAlive(pgid int) bool { return syscall.Kill(-pgid, 0) == nil }

// LiveGroups is unknown without /proc: nil means "ask each group".
func LiveGroups() map[int]bool { return nil }

// LiveAmong reports which of pgids still exist.
func LiveAmong(pgids []int) map[int]bool {
	live := map[int]bool{}
	for _, g := range pgids {
		live[g] = GroupAlive(g)
	}
	return live
}
