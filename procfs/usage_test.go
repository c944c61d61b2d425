//go:build linux

package procfs

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// A group of three processes, one holding a 32 MiB buffer it has written
// (dd blocked writing to a pipe nobody reads), sums to more than 32 MiB.
func TestGroupUsageSumsTheGroup(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "dd if=/dev/zero bs=32M count=1 2>/dev/null | sleep 30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL); cmd.Wait() })
	var u Usage
	for range 500 {
		if u = GroupUsage([]int{pgid})[pgid]; u.RSS > 32<<20 && u.Processes >= 2 {
			break
		}
		syscall.Select(0, nil, nil, nil, &syscall.Timeval{Usec: 10000})
	}
	if u.RSS <= 32<<20 || u.Processes < 2 {
		t.Fatalf("usage of the group: %+v, want more than 32 MiB in at least 2 processes", u)
	}
	if got := GroupUsage([]int{os.Getpid() + 1<<22}); len(got) != 0 {
		t.Errorf("usage of a group that does not exist: %v", got)
	}
}

// BenchmarkGroupUsage is one sample: one pass over /proc for every group.
func BenchmarkGroupUsage(b *testing.B) {
	groups := make([]int, 50)
	for i := range groups {
		groups[i] = os.Getpid() + i
	}
	for b.Loop() {
		GroupUsage(groups)
	}
}
