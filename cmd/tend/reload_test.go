package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A reload that cannot finish parsing (the Procfile replaced by a FIFO
// after start, which a writer holds open without writing) must not stop
// tend working: `tend status` answers, and SIGTERM drains at once.
func TestReloadOfAFIFOProcfileLeavesTendWorking(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo $$ > web.pid; exec sleep 60\n"})
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	p := startTend(t, dir, env, "start")
	p.waitOutput("web.1 started with pid")
	waitFor(t, "web.pid", func() bool { b, _ := os.ReadFile(filepath.Join(dir, "web.pid")); return len(b) > 0 })
	t.Cleanup(func() { // on the old code web.1 outlives the SIGKILLed tend
		b, _ := os.ReadFile(filepath.Join(dir, "web.pid"))
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	fifo := filepath.Join(dir, "Procfile")
	if err := os.Remove(fifo); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// A writer that opens the FIFO (which returns once tend opens it to
	// read, so this is the event "the parse has begun") and never writes.
	opened := make(chan int, 1)
	go func() {
		fd, err := syscall.Open(fifo, syscall.O_WRONLY, 0)
		if err == nil {
			opened <- fd
		}
		close(opened)
	}()
	t.Cleanup(func() {
		// Unblock the writer's open if tend never read, then close it.
		if r, err := syscall.Open(fifo, syscall.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer syscall.Close(r)
		}
		if fd, ok := <-opened; ok {
			syscall.Close(fd)
		}
	})
	p.signal(syscall.SIGHUP)
	// With parsers that refuse a FIFO at once, the reload fails instead:
	// that is fine too, as long as tend keeps working.
	if !eventually(30*time.Second, func() bool {
		return len(opened) > 0 || strings.Contains(p.stderr.String(), "reload (SIGHUP) failed")
	}) {
		t.Fatalf("tend never read the Procfile after SIGHUP\n%s%s", p.stdout, p.stderr)
	}
	status := startTend(t, dir, env, "status")
	if code := status.waitExit(20*time.Second, ""); code != 0 || !strings.Contains(status.stdout.String(), "web.1") {
		t.Errorf("tend status: exit %d\n%s%s", code, status.stdout, status.stderr)
	}
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(20*time.Second, ""); code != 0 {
		t.Errorf("exit %d after SIGTERM\n%s%s", code, p.stdout, p.stderr)
	}
}
