//go:build !linux

package procfs

import "syscall"

// CanFindChildren reports whether Children works on this system.
const CanFindChildren = false

// Children is unsupported without /proc.
func Children(ppid int) []int { return nil }

// Info is what /proc/PID/stat says of a process.
type Info struct {
	State byte // 'R', 'S', 'Z' (zombie), 'X' (dead)...
	PPid  int  // the parent
	Pgrp  int  // the process group
}

func Stat(pid int) (Info, bool) { return Info{}, false }

func Living() []int { return nil }

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
