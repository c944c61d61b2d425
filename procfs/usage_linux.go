package procfs

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat.
// It is 100 on every Linux architecture Go supports (the kernel fixes it
// for user space whatever CONFIG_HZ is), and reading it would need cgo.
const clockTicks = 100

const canMeasure = true

// GroupUsage sums the resident memory and CPU time of every process in each
// of the process groups pgids, from one pass over /proc/PID/stat (field 24
// rss in pages, 14 and 15 utime and stime in clock ticks). A group without
// a live member is absent. CPU time is that of the living members plus
// what the leader's children it has waited for used (a shell's commands);
// other members that exited take theirs with them, so the sum can drop.
func GroupUsage(pgids []int) map[int]Usage {
	out := make(map[int]Usage, len(pgids))
	if len(pgids) == 0 {
		return out
	}
	want := make(map[int]bool, len(pgids))
	for _, g := range pgids {
		want[g] = true
	}
	dir, err := os.Open("/proc")
	if err != nil {
		return out
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return out
	}
	page := int64(os.Getpagesize())
	buf := make([]byte, 1024)
	for _, name := range names {
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		st, ok := readStat("/proc/"+name+"/stat", buf)
		if !ok || !want[st.pgrp] || st.state == 'Z' || st.state == 'X' {
			continue
		}
		u := out[st.pgrp]
		u.Processes++
		u.RSS += st.rss * page
		ticks := st.ticks
		if name == strconv.Itoa(st.pgrp) {
			ticks += st.childTicks // the leader's finished children: a shell's commands
		}
		u.CPU += time.Duration(ticks) * time.Second / clockTicks
		out[st.pgrp] = u
	}
	return out
}

type usageStat struct {
	state byte
	pgrp  int
	ticks int64
	// childTicks are cutime and cstime: what its children it waited for
	// used.
	childTicks int64
	rss        int64
}

// readStat parses the fields GroupUsage needs; the command name may hold
// spaces and parentheses, so fields are counted from the last ')'.
func readStat(path string, buf []byte) (usageStat, bool) {
	// syscall rather than os.File: no poller registration, no finalizer;
	// this runs for every process on the host at every sample.
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return usageStat{}, false
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	if err != nil || n <= 0 {
		return usageStat{}, false
	}
	data := buf[:n]
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return usageStat{}, false
	}
	// After ')': state(3) ppid(4) pgrp(5) … utime(14) stime(15) cutime(16)
	// cstime(17) … rss(24); field k is at index k-3. Scanned by hand:
	// bytes.Fields would allocate for every process at every sample.
	var st usageStat
	rest := data[i+1:]
	for field := 0; field <= 21; field++ {
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
		}
		end := bytes.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		tok := bytes.TrimSpace(rest[:end])
		rest = rest[end:]
		if len(tok) == 0 {
			return usageStat{}, false
		}
		switch field {
		case 0:
			st.state = tok[0]
		case 2:
			st.pgrp = int(atoi(tok))
		case 11, 12:
			st.ticks += atoi(tok)
		case 13, 14:
			st.childTicks += atoi(tok)
		case 21:
			st.rss = atoi(tok)
			return st, true
		}
	}
	return usageStat{}, false
}

// atoi reads a decimal number (a leading '-' allowed) without allocating;
// anything else reads as what came before it.
func atoi(b []byte) int64 {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
