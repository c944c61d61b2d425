package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/proc"
)

// syncOwn waits until tend's own lines, which are queued, are written.
func syncOwn(t *testing.T, m *Mux) {
	t.Helper()
	if lost := m.Drain(time.Now().Add(time.Minute)); lost != 0 {
		t.Fatalf("%d bytes of own lines lost", lost)
	}
}

// outProducer starts a shell script writing to a new pipe and returns the
// pipe's read end; the child is killed and reaped when the test ends.
func outProducer(t *testing.T, r *proc.Reaper, script string) (*os.File, *proc.Child) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := testkit.Shell(script)
	cmd.Stdout = pw
	c, err := r.Start(cmd)
	pw.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Signal(syscall.SIGKILL, true); c.Wait(); pr.Close() })
	return pr, c
}

// recordScript prints n records "<id> <seq> <payload>" whose payload length
// varies from 0 to 6,000 bytes, so records straddle reads and PIPE_BUF.
func recordScript(id string, n int) string {
	return fmt.Sprintf(`awk 'BEGIN { p = "0123456789abcdef"; while (length(p) < 6000) p = p p;
for (i = 1; i <= %d; i++) print "%s", i, substr(p, 1, (i * 37) %% 6000) }'`, n, id)
}

// checkRecord reports whether line is record seq of producer id, whole.
func checkRecord(line, id string, seq int) bool {
	want := fmt.Sprintf("%s %d ", id, seq)
	payload, ok := strings.CutPrefix(line, want)
	if !ok || len(payload) != (seq*37)%6000 {
		return false
	}
	for i := range len(payload) {
		if payload[i] != "0123456789abcdef"[i%16] {
			return false
		}
	}
	return true
}

// TestOutputTenProducersOnePipe runs ten children at full speed, half on
// stdout and half on stderr, with both of tend's streams in one pipe (as
// with 2>&1): every line is one whole record with the right prefix, and
// each producer's records arrive complete and in order.
func TestOutputTenProducersOnePipe(t *testing.T) {
	t.Parallel()
	const producers, perProducer = 10, 1000
	r := testkit.Reaper(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	m := NewMux(OutputOptions{Stdout: pw, Stderr: pw, Prefix: true})
	names := make([]string, producers)
	for i := range names {
		names[i] = fmt.Sprintf("proc.%d", i)
	}
	m.SetNames(names)
	var out bytes.Buffer
	read := make(chan error, 1)
	go func() { _, err := io.Copy(&out, pr); read <- err }()
	var wg sync.WaitGroup
	for i, name := range names {
		src, _ := outProducer(t, r, recordScript(name, perProducer))
		wg.Go(func() {
			if err := m.Copy(name, Stream(i%2), src); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	pw.Close()
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	next := map[string]int{}
	for n, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		pad, content, ok := strings.Cut(line, " | ")
		name := strings.TrimRight(pad, " ")
		if !ok || len(pad) != len("proc.0") || !checkRecord(content, name, next[name]+1) {
			t.Fatalf("output line %d is not record %d of %q: %.100q", n+1, next[name]+1, name, line)
		}
		next[name]++
	}
	for _, name := range names {
		if next[name] != perProducer {
			t.Errorf("%s: %d records, want %d", name, next[name], perProducer)
		}
	}
}

// TestOutputWritersConcurrent: producers writing partial lines from many
// goroutines still print whole lines; the end of input completes the last.
func TestOutputWritersConcurrent(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	m := NewMux(OutputOptions{Stdout: pw, Stderr: pw, Prefix: true})
	var out bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = io.Copy(&out, pr); close(read) }()
	const writers, lines = 8, 2000
	var wg, copiers sync.WaitGroup
	for i := range writers {
		src, w := io.Pipe()
		copiers.Go(func() {
			if err := m.Copy(fmt.Sprintf("w%d", i), Stream(i%2), src); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			for n := 1; n <= lines; n++ {
				// Each record in three writes: the line is cut everywhere.
				fmt.Fprintf(w, "w%d ", i)
				fmt.Fprintf(w, "%d", n)
				if n < lines {
					fmt.Fprint(w, "\n")
				}
			}
			if err := w.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	copiers.Wait()
	pw.Close()
	<-read
	next := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		name, content, _ := strings.Cut(line, " | ")
		name = strings.TrimSpace(name)
		if content != fmt.Sprintf("%s %d", name, next[name]+1) {
			t.Fatalf("mixed or out of order: %q", line)
		}
		next[name]++
	}
	for i := range writers {
		if n := next[fmt.Sprintf("w%d", i)]; n != lines {
			t.Errorf("w%d: %d lines, want %d", i, n, lines)
		}
	}
}

func TestMuxManyLinesInOrder(t *testing.T) {
	r := testkit.Reaper(t)
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	if err := m.Copy("seq.1", Stdout, producerPipe(t, r, "seq 1 200000")); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 200000 {
		t.Fatalf("%d lines, want 200000", len(lines))
	}
	for i, l := range lines {
		if l != fmt.Sprintf("seq.1 | %d", i+1) {
			t.Fatalf("line %d: %q", i+1, l)
		}
	}
}

func TestMuxConcurrentWritersSharingOnePipe(t *testing.T) {
	t.Parallel()
	// Both of tend's streams go to one pipe, as with 2>&1: every line must
	// still be one whole record of one producer.
	r := testkit.Reaper(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	m := NewMux(OutputOptions{Stdout: pw, Stderr: pw, Prefix: true})
	var collected bytes.Buffer
	readDone := make(chan struct{})
	go func() { io.Copy(&collected, pr); close(readDone) }()
	var wg sync.WaitGroup
	const producers, perProducer = 6, 20000
	for i := range producers {
		stream := Stream(i % 2)
		src := producerPipe(t, r, fmt.Sprintf("yes %s | head -n %d", strings.Repeat(fmt.Sprint(i), 500), perProducer))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.Copy(fmt.Sprintf("p%d", i), stream, src); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	pw.Close()
	<-readDone
	counts := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(collected.String(), "\n"), "\n") {
		name, content, ok := strings.Cut(line, " | ")
		name = strings.TrimSpace(name)
		if !ok || len(name) != 2 || content != strings.Repeat(name[1:], 500) {
			t.Fatalf("mixed or cut line: %.80q", line)
		}
		counts[name]++
	}
	for i := range producers {
		if n := counts[fmt.Sprintf("p%d", i)]; n != perProducer {
			t.Errorf("p%d: %d lines, want %d", i, n, perProducer)
		}
	}
}

// producerPipe is the read end of a shell script's stdout.
func producerPipe(t *testing.T, r *proc.Reaper, script string) *os.File {
	t.Helper()
	pr, _ := outProducer(t, r, script)
	return pr
}

// startOnPipes starts script with its output on m's Pipes under name and
// waits for it to exit (a background process it started may go on).
func startOnPipes(t *testing.T, m *Mux, name, script string) (*Pipes, *proc.Child) {
	t.Helper()
	p, err := m.Pipes(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := testkit.Shell(script)
	cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
	c, err := testkit.Reaper(t).Start(cmd)
	p.Started(err)
	if err != nil {
		t.Fatal(err)
	}
	c.Wait()
	return p, c
}

// A child started on Pipes has its output copied under its name; Done is
// closed once the pipes are drained, Drain waits for them, and a failed
// start closes Done at once and copies nothing.
func TestPipes(t *testing.T) {
	var out testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	p, _ := startOnPipes(t, m, "job.1", "echo out; echo err >&2; (sleep 0.3; echo late) &")
	select {
	case <-p.Done():
		t.Fatal("Done while a background process still holds the pipes")
	default:
	}
	m.Drain(time.Now().Add(10 * time.Second))
	select {
	case <-p.Done():
	default:
		t.Fatal("Drain returned before the pipes were drained")
	}
	for _, want := range []string{"job.1 | out\n", "job.1 | err\n", "job.1 | late\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	failed, err := m.Pipes("nope.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	failed.Started(errors.New("not started"))
	select {
	case <-failed.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after a failed start")
	}
}

// Drain does not wait for pipes their owner abandoned.
func TestPipesAbandon(t *testing.T) {
	var out testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	p, c := startOnPipes(t, m, "hook", "sleep 30 &")
	t.Cleanup(func() { _ = c.Signal(syscall.SIGKILL, true) })
	p.Abandon()
	start := time.Now()
	m.Drain(time.Now().Add(10 * time.Second))
	if took := time.Since(start); took >= Grace {
		t.Errorf("Drain waited %v for an abandoned pipe", took)
	}
	if strings.Contains(out.String(), "still held open") {
		t.Errorf("Drain reported the abandoned pipe:\n%s", out.String())
	}
}
