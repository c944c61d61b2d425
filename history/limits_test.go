package history

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/regfile"
)

// TestOpenFIFO: a named pipe at the history path opened (O_RDWR never
// blocks on a FIFO) and then blocked tend in read(2) for good. It is
// refused now, naming it.
func TestOpenFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := Open(path)
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if want := "open history: " + path + " is a named pipe, not a regular file"; !errors.Is(err, regfile.ErrNotRegular) || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	case <-time.After(20 * time.Second):
		// Give the blocked read its EOF so the test binary can go on.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("Open of a FIFO did not return within 20 s")
	}
}

// TestOpenHugeLine: a 300 MB file with no newline (sparse: it costs no
// disk) was read into one 300 MB line, twice that in memory. Only the
// last maxRead bytes are read now, over-long lines are skipped in pieces,
// the runs after them are kept, and the next Add compacts the file.
func TestOpenHugeLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(300 << 20); err != nil {
		t.Fatal(err)
	}
	r0 := mkRun("a", 0, OutcomeOK)
	long := jsonLine(t, Run{Job: strings.Repeat("j", maxLine), Outcome: OutcomeOK})
	if _, err := f.WriteAt([]byte("\n"+jsonLine(t, r0)+"\n"+long+"\n"), 300<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := mustOpen(t, path)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("Open allocated %d MB", alloc>>20)
	}
	if got := s.Runs("a"); len(got) != 1 || !sameRun(got[0], r0) {
		t.Fatalf("loaded %+v, want %+v", got, r0)
	}
	if len(s.jobs) != 1 {
		t.Errorf("loaded %d jobs, want 1 (the over-long line skipped)", len(s.jobs))
	}
	mustAdd(t, s, mkRun("a", 1, OutcomeOK))
	if fi, err := os.Stat(path); err != nil || fi.Size() > 1<<10 {
		t.Errorf("after Add: %v, %d bytes; want it compacted", err, fi.Size())
	}
	if got := len(lines(t, path)); got != 2 {
		t.Errorf("%d lines after compaction, want 2", got)
	}
}

// TestAddRefusesOverlongLine: Add never writes a line load would skip.
func TestAddRefusesOverlongLine(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "history.jsonl"))
	if err := s.Add(Run{Job: strings.Repeat("j", maxLine), Outcome: OutcomeOK}); err == nil {
		t.Fatal("Add of a 64 KiB job name succeeded")
	}
}
