package procfs

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The kernel's child lists and a pass over /proc agree on tend's children,
// its own and an adopted orphan alike.
func TestOwnChildrenAgreesWithProc(t *testing.T) {
	if !haveChildLists {
		t.Skip("this kernel keeps no /proc/PID/task/TID/children")
	}
	// As the reaper does: orphans re-parent to the test, as they do to tend.
	if os.Getpid() != 1 {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	}
	var cmds []*exec.Cmd
	for range 3 {
		c := exec.Command("sleep", "30")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	// An orphan: sh starts sleep in the background and exits, so the sleep
	// is re-parented to this process (a subreaper).
	out, err := exec.Command("sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatal(err)
	}
	var orphan int
	if _, err := fmt.Sscan(string(out), &orphan); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
		syscall.Kill(orphan, syscall.SIGKILL)
		var ws syscall.WaitStatus
		syscall.Wait4(orphan, &ws, 0, nil)
	}()
	got, ok := ownChildren()
	if !ok {
		t.Fatal("no child lists")
	}
	scan := procChildrenScan(os.Getpid())
	slices.Sort(got)
	slices.Sort(scan)
	if !slices.Equal(got, scan) {
		t.Errorf("kernel lists %v, /proc scan %v", got, scan)
	}
	for _, c := range cmds {
		if !slices.Contains(got, c.Process.Pid) {
			t.Errorf("child %d missing from %v", c.Process.Pid, got)
		}
	}
	if !slices.Contains(got, orphan) {
		t.Errorf("adopted orphan %d missing from %v", orphan, got)
	}
}

// Finding leftovers with no children at all: the kernel's lists against a
// pass over every process of the host.
func BenchmarkFindChildren(b *testing.B) {
	self := os.Getpid()
	b.Run("kernel lists", func(b *testing.B) {
		for b.Loop() {
			ownChildren()
		}
	})
	b.Run("proc scan", func(b *testing.B) {
		for b.Loop() {
			procChildrenScan(self)
		}
	})
}
