package testkit

import (
	"os"
	"testing"
	"time"
)

func TestProcState(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	r := Reaper(t)
	c, err := r.Start(Shell("exec sleep 30"))
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := ProcState(c.Pid); !ok || st == 'Z' {
		t.Errorf("a sleeping child: %q %v", st, ok)
	}
	_ = c.Signal(9, true)
	c.Wait()
	if _, ok := ProcState(c.Pid); ok {
		t.Error("a reaped child still has a state")
	}
}

func TestBufferWaitFor(t *testing.T) {
	var b Buffer
	go func() { time.Sleep(10 * time.Millisecond); b.Write([]byte("hello\n")) }()
	b.WaitFor(t, "hello")
	if b.String() != "hello\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestBufferCount(t *testing.T) {
	var b Buffer
	b.Write([]byte("a: done\nb: done\n"))
	b.Write([]byte("c: do"))
	if n := b.Count(": done"); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	b.Write([]byte("ne\n"))
	if n := b.Count(": done"); n != 3 {
		t.Errorf("Count = %d after the rest of a line, want 3", n)
	}
}
