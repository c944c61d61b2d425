package output

// The tests here stop reading tend's streams, or close them.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
)

// TestOutputBlockedStdoutLosesNothing fills tend's stdout, a pipe nobody
// reads yet: Copy must still be running when the reader arrives (it cannot
// have written 1.2 MB into a 64 KiB pipe), and every line arrives after.
func TestOutputBlockedStdoutLosesNothing(t *testing.T) {
	r := testkit.Reaper(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	m := NewMux(OutputOptions{Stdout: pw, Stderr: io.Discard, Prefix: true})
	src, child := outProducer(t, r, "seq 1 150000")
	copied := make(chan error, 1)
	go func() { copied <- m.Copy("seq", Stdout, src); pw.Close() }()
	// About 2 MB cannot fit in the pipe: Copy must be blocked in a write, not
	// returned, by the time the reader arrives.
	testkit.WaitFor(t, "Copy to block on the full pipe", 30*time.Second, func() bool {
		select {
		case err := <-copied:
			t.Fatalf("Copy returned %v before anything read its output", err)
		default:
		}
		return m.out.inWrite[Stdout].Load()
	})
	data, err := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-copied; err != nil {
		t.Fatal(err)
	}
	if st := child.Wait(); !st.Success() {
		t.Errorf("producer: %v", st)
	}
	var want strings.Builder
	for i := 1; i <= 150000; i++ {
		fmt.Fprintf(&want, "seq  | %d\n", i) // padded to "tend"
	}
	if string(data) != want.String() {
		t.Errorf("got %d bytes, want %d", len(data), want.Len())
	}
}

// TestOutputWriteErrorDrains closes the log reader: Copy keeps reading, so
// the child is never stuck on a full pipe, and returns the write error.
func TestOutputWriteErrorDrains(t *testing.T) {
	r := testkit.Reaper(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer pw.Close()
	m := NewMux(OutputOptions{Stdout: pw, Stderr: io.Discard, Prefix: true})
	src, child := outProducer(t, r, "seq 1 200000")
	err = m.Copy("seq", Stdout, src)
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Copy = %v, want EPIPE", err)
	}
	if want := fmt.Sprintf("write output of seq: write |1: %v", syscall.EPIPE); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if st := child.Wait(); !st.Success() {
		t.Errorf("producer was not drained to its end: %v", st)
	}
}

func TestMuxBackpressureLosesNothing(t *testing.T) {
	r := testkit.Reaper(t)
	pr, pw, _ := os.Pipe()
	m := NewMux(OutputOptions{Stdout: pw, Stderr: io.Discard})
	src := producerPipe(t, r, "seq 1 100000")
	copied := make(chan error, 1)
	go func() { copied <- m.Copy("seq", Stdout, src); pw.Close() }()
	// Nobody reads for a while: the pipe fills and Copy must block, not drop.
	select {
	case err := <-copied:
		t.Fatalf("Copy finished (%v) while its output was blocked", err)
	case <-time.After(300 * time.Millisecond):
	}
	data, _ := io.ReadAll(pr)
	if err := <-copied; err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 100000 || lines[99999] != "100000" {
		t.Errorf("%d lines after the reader caught up", len(lines))
	}
}

// TestMuxStalledStdoutHoldsOnlyTheCopier fills tend's stdout, a real pipe
// nobody reads: the copier blocks (so does its child, nothing is lost), but
// tend's own lines return at once, stderr (another file) still gets its
// lines, and Drain gives up at the deadline, counting what it dropped.
func TestMuxStalledStdoutHoldsOnlyTheCopier(t *testing.T) {
	t.Parallel()
	r := testkit.Reaper(t)
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer outR.Close()
	defer outW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer errR.Close()
	m := NewMux(OutputOptions{Stdout: outW, Stderr: errW, Prefix: true})
	src, _ := outProducer(t, r, "exec yes 'a line nobody reads'")
	copied := make(chan struct{})
	go func() { _ = m.Copy("yes", Stdout, src); close(copied) }()
	testkit.WaitFor(t, "a blocked write", 30*time.Second, func() bool { return m.out.inWrite[Stdout].Load() && m.out.pending[Stdout].Load() > 0 })
	said := make(chan struct{})
	go func() {
		m.Printf("yes.1 started")
		m.Errorf("something on stderr")
		close(said)
	}()
	select {
	case <-said:
	case <-time.After(20 * time.Second):
		t.Fatal("Printf waited for the stalled stdout")
	}
	line, err := bufio.NewReader(errR).ReadString('\n')
	if err != nil || line != "tend | something on stderr\n" {
		t.Fatalf("stderr: %q, %v", line, err)
	}
	lost := m.Drain(time.Now())
	if lost < int64(len("tend | yes.1 started\n")) {
		t.Errorf("Drain reports %d bytes lost", lost)
	}
	line, _ = bufio.NewReader(errR).ReadString('\n')
	if want := fmt.Sprintf("tend | stdout is not being read: up to %d bytes of output were dropped\n", lost); line != want {
		t.Errorf("stderr: %q, want %q", line, want)
	}
}

// TestMuxBrokenOnEPIPE closes the reader of tend's stdout: Broken is
// closed, and what follows for stdout is discarded without error.
func TestMuxBrokenOnEPIPE(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	pr.Close()
	var errOut bytes.Buffer
	m := NewMux(OutputOptions{Stdout: pw, Stderr: &errOut, Prefix: true})
	if err := m.Copy("web.1", Stdout, strings.NewReader("one\n")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Copy = %v, want EPIPE", err)
	}
	select {
	case <-m.Broken():
	default:
		t.Fatal("Broken not closed after EPIPE")
	}
	if m.BrokenStream() != Stdout {
		t.Errorf("broken stream %v", m.BrokenStream())
	}
	if err := m.Copy("web.1", Stdout, strings.NewReader("two\n")); err != nil {
		t.Errorf("Copy after the break = %v, want the output discarded", err)
	}
	m.Errorf("still here")
	syncOwn(t, m)
	if errOut.String() != "tend | still here\n" {
		t.Errorf("stderr %q", errOut.String())
	}
}
