package procfs

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// CanFindChildren reports whether Children works on this system.
const CanFindChildren = true

// Children lists the pids whose parent is ppid. tend's own come from the
// kernel's list of each of its threads' children (a few µs); anyone else's,
// or where the kernel keeps no such list, from a pass over every process in
// /proc, whose cost grows with the host's process count.
func Children(ppid int) []int {
	if ppid == os.Getpid() {
		if pids, ok := ownChildren(); ok {
			return pids
		}
	}
	return procChildrenScan(ppid)
}

// procChildrenScan finds ppid's children in every /proc/PID/stat.
func procChildrenScan(ppid int) []int {
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
		if st, ok := Stat(pid); ok && st.PPid == ppid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Info is what /proc/PID/stat says of a process.
type Info struct {
	State byte // 'R', 'S', 'Z' (zombie), 'X' (dead)...
	PPid  int  // the parent
	Pgrp  int  // the process group
}

// Stat reads state, parent and group of pid from /proc/PID/stat. The
// command name may contain spaces and parentheses, so fields are counted
// from the last ')'.
func Stat(pid int) (Info, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Info{}, false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return Info{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return Info{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return Info{}, false
	}
	return Info{State: f[0][0], PPid: ppid, Pgrp: pgrp}, true
}

// Living lists every process in the PID namespace but tend itself
// that is not a zombie (used as PID 1, where everything is a leftover).
func Living() []int {
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
		if st, ok := Stat(pid); ok && st.State != 'Z' && st.State != 'X' {
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
		if st, ok := Stat(pid); ok && st.State != 'Z' && st.State != 'X' {
			groups[st.Pgrp] = true
		}
	}
	return groups
}

// GroupAlive reports whether the process group pgid has a live member.
func GroupAlive(pgid int) bool { return LiveAmong([]int{pgid})[pgid] }

// LiveAmong reports which of the process groups pgids have a member other
// than a zombie. kill(-pgid, 0) answers for most at once (ESRCH: no member
// at all); only when a group still exists is /proc read, once, to tell
// live members from zombies the reaper has not collected yet.
func LiveAmong(pgids []int) map[int]bool {
	live := map[int]bool{}
	var exist []int
	for _, g := range pgids {
		if syscall.Kill(-g, 0) != syscall.ESRCH {
			exist = append(exist, g)
		}
	}
	if len(exist) == 0 {
		return live
	}
	all := LiveGroups()
	for _, g := range exist {
		live[g] = all[g]
	}
	return live
}

// haveChildLists says whether the kernel keeps /proc/PID/task/TID/children
// (CONFIG_PROC_CHILDREN, present in the common distribution kernels).
var haveChildLists = func() bool {
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/children")
	return err == nil
}()

// ownChildren lists tend's children from the kernel's per-thread lists: a
// child belongs to the thread that forked it, and an orphan re-parented to
// tend (as subreaper or PID 1) to whichever thread the kernel picked, so
// every thread's list is read.
func ownChildren() ([]int, bool) {
	if !haveChildLists {
		return nil, false
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, false
	}
	var pids []int
	var buf []byte // one buffer for every thread's list
	for _, t := range tasks {
		// Plain system calls: os.Open would register each file with the
		// poller (four fcntl and two epoll_ctl more, per thread, per scan).
		if buf, err = readSmallFile("/proc/self/task/"+t.Name()+"/children", buf[:0]); err != nil {
			continue // the thread has exited since
		}
		for _, field := range strings.Fields(string(buf)) {
			if pid, err := strconv.Atoi(field); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids, true
}

// readSmallFile appends the contents of a /proc file to buf with plain
// system calls.
func readSmallFile(path string, buf []byte) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return buf, err
	}
	defer syscall.Close(fd)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, 512)...)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return buf, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}
