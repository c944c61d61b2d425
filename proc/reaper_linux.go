package proc

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes orphaned descendants re-parent to tend instead of
// PID 1, so they can be reaped and signalled. PID 1 is a reaper already.
func becomeSubreaper() {
	if os.Getpid() != 1 {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	}
}

// canFindChildren reports whether childrenOf works on this system.
const canFindChildren = true

// childrenOf lists the pids whose parent is ppid, from /proc.
func childrenOf(ppid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(pid); ok && st.ppid == ppid {
			pids = append(pids, pid)
		}
	}
	return pids
}

type procInfo struct {
	state byte
	ppid  int
	pgrp  int
}

// procStat reads state, parent and group of pid from /proc/PID/stat. The
// command name may contain spaces and parentheses, so fields are counted
// from the last ')'.
func procStat(pid int) (procInfo, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return procInfo{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return procInfo{}, false
	}
	return procInfo{state: f[0][0], ppid: ppid, pgrp: pgrp}, true
}

// livingProcesses lists every process in the PID namespace but tend itself
// that is not a zombie (used as PID 1, where everything is a leftover).
func livingProcesses() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if st, ok := procStat(pid); ok && st.state != 'Z' && st.state != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// LiveGroups returns the process groups that have a member other than a
// zombie (kill(-pgid, 0) would count unreaped zombies), from one pass over
// /proc.
func LiveGroups() map[int]bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	groups := map[int]bool{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(pid); ok && st.state != 'Z' && st.state != 'X' {
			groups[st.pgrp] = true
		}
	}
	return groups
}

// GroupAlive reports whether the process group pgid has a live member.
func GroupAlive(pgid int) bool { return LiveGroups()[pgid] }
