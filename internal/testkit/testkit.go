// Package testkit holds what the tests of tend's engine packages share: the
// one Reaper, a shell command, the one polling loop and a buffer that
// is safe to read while a Mux writes to it. Only tests import it.
package testkit

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-run/tend/proc"
)

var shared struct {
	once   sync.Once
	reaper *proc.Reaper
}

// Reaper is the test binary's one Reaper, started by the first test that
// asks and never closed. Every Reaper waits for any child, so two in one
// process would take each other's statuses: tests that run in parallel
// share this one. A drain's StopLeftovers stops every orphan of the
// process, so a test that counts or keeps orphans does not run in parallel.
func Reaper(t testing.TB) *proc.Reaper {
	t.Helper()
	shared.once.Do(func() { shared.reaper = proc.NewReaper(nil) })
	return shared.reaper
}

// Shell is script run by /bin/sh in a group of its own, with the test's
// environment.
func Shell(script string) proc.Command {
	return proc.Command{Path: "/bin/sh", Args: []string{"sh", "-c", script}, Env: os.Environ(), NewGroup: true}
}

// WaitFor polls cond until it holds or d has passed, then fails the test.
func WaitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(time.Millisecond) // conditions are cheap; a fake clock's settle is called often
	}
}

// Buffer is a bytes.Buffer safe to read while others write to it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Count is strings.Count of the buffer, without copying it: a test that
// polls a megabyte of output every few milliseconds should not spend a
// core on copies.
func (l *Buffer) Count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Count(l.b.Bytes(), []byte(s))
}

// WaitFor waits until the buffer holds s: tend's own lines reach it
// through the Mux's queue, a moment after the call that printed them.
func (l *Buffer) WaitFor(t testing.TB, s string) {
	t.Helper()
	WaitFor(t, fmt.Sprintf("%q in the output", s), 5*time.Second, func() bool { return strings.Contains(l.String(), s) })
}

// SlowBuffer is a Buffer that takes 20 ms per write: a caller on a slow
// connection, or a slow log reader.
type SlowBuffer struct{ Buffer }

func (w *SlowBuffer) Write(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return w.Buffer.Write(p)
}

// ProcState is the state letter of pid in /proc ('Z' for a zombie); ok is
// false when there is no such process (or no /proc).
func ProcState(pid int) (state byte, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces and parens
	if i < 0 || i+2 >= len(b) {
		return 0, false
	}
	return b[i+2], true
}

// WriteFiles writes files (name: content) into a new temp dir and returns it.
func WriteFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// FreeAddr is a loopback TCP address nothing listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// NeedProgram returns the path of the program name, or skips the test,
// saying how to install it (hint); in CI (CI set, as .ci/run does, which
// installs every program the tests use) a missing program fails the test
// instead, so that a test cannot pass there by not running.
func NeedProgram(t testing.TB, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s is not installed (%s)", name, hint)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// ChildOutput is what a child might print: 20,000 short and long lines,
// three lines of longLine+1000 bytes (longer than a read buffer of
// longLine), "\r\n" endings, a bare '\r', empty lines, and a last line
// without a newline.
func ChildOutput(longLine int) []byte {
	var b bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", i%300))
		switch i % 5000 {
		case 17:
			b.WriteString("dos line\r\n\n")
		case 1234:
			b.WriteString(strings.Repeat("L", longLine+1000) + "\n")
		case 4321:
			b.WriteString("a\rb\n")
		}
	}
	b.WriteString("no newline at the end")
	return b.Bytes()
}
