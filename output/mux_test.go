package output

import (
	"bufio"
	"bytes"
	"encoding/json"
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

var fixedNow = func() time.Time { return time.Date(2026, 11, 24, 9, 8, 7, 0, time.UTC) }

func TestMuxFormats(t *testing.T) {
	input := "one\r\ntwo\nlast without newline"
	for _, tc := range []struct {
		name string
		opts OutputOptions
		want string
	}{
		{"prefix", OutputOptions{Prefix: true},
			"web.1    | one\nweb.1    | two\nweb.1    | last without newline\n"},
		{"timestamps", OutputOptions{Prefix: true, Timestamps: true},
			"09:08:07 web.1    | one\n09:08:07 web.1    | two\n09:08:07 web.1    | last without newline\n"},
		{"no prefix", OutputOptions{},
			"one\ntwo\nlast without newline\n"},
		{"color", OutputOptions{Prefix: true, Color: true},
			"\x1b[33mweb.1    |\x1b[0m one\n\x1b[33mweb.1    |\x1b[0m two\n\x1b[33mweb.1    |\x1b[0m last without newline\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tc.opts.Stdout, tc.opts.Stderr, tc.opts.Now = &out, io.Discard, fixedNow
			m := NewMux(tc.opts)
			m.SetNames([]string{"worker.1", "web.1"})
			if err := m.Copy("web.1", Stdout, strings.NewReader(input)); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), tc.want)
			}
		})
	}
}

func TestMuxJSON(t *testing.T) {
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: io.Discard, Stderr: &out, JSON: true, Now: fixedNow})
	if err := m.Copy("web.1", Stderr, strings.NewReader("a \"quoted\"\tline\nbad \xff utf8\n")); err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var rec map[string]string
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		got = append(got, rec)
	}
	if len(got) != 2 || got[0]["line"] != "a \"quoted\"\tline" || got[1]["line"] != "bad \ufffd utf8" ||
		got[0]["process"] != "web.1" || got[0]["stream"] != "stderr" || got[0]["time"] != "2026-11-24T09:08:07Z" {
		t.Errorf("got %v", got)
	}
}

func TestMuxOwnLines(t *testing.T) {
	var out, errOut bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: &errOut, Prefix: true})
	m.SetNames([]string{"web.1"})
	m.Printf("web.1 started with pid %d", 42)
	m.Errorf("web.1 killed")
	syncOwn(t, m)
	if out.String() != "tend  | web.1 started with pid 42\n" || errOut.String() != "tend  | web.1 killed\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}

// syncOwn waits until tend's own lines, which are queued, are written.
func syncOwn(t *testing.T, m *Mux) {
	t.Helper()
	if lost := m.Drain(time.Now().Add(time.Minute)); lost != 0 {
		t.Fatalf("%d bytes of own lines lost", lost)
	}
}

// pipeProducer is outProducer for tests that need only the pipe.
func pipeProducer(t *testing.T, r *proc.Reaper, script string) *os.File {
	t.Helper()
	pr, _ := outProducer(t, r, script)
	return pr
}

func TestMuxManyLinesInOrder(t *testing.T) {
	r := testkit.Reaper(t)
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	if err := m.Copy("seq.1", Stdout, pipeProducer(t, r, "seq 1 200000")); err != nil {
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
		src := pipeProducer(t, r, fmt.Sprintf("yes %s | head -n %d", strings.Repeat(fmt.Sprint(i), 500), perProducer))
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

func TestMuxLongLines(t *testing.T) {
	r := testkit.Reaper(t)
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	// A 1 MiB line stays whole; a 5 MiB line comes in 2 MiB pieces.
	src := pipeProducer(t, r, "head -c 1048576 /dev/zero | tr '\\0' a; echo; head -c 5242880 /dev/zero | tr '\\0' b; echo")
	if err := m.Copy("big.1", Stdout, src); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 1 + 3 pieces", len(lines))
	}
	pieces := []int{maxLine, maxLine, 5<<20 - 2*maxLine}
	if lines[0] != "big.1 | "+strings.Repeat("a", 1<<20) {
		t.Errorf("the 1 MiB line was not kept whole")
	}
	for i, l := range lines[1:] {
		if l != "big.1 | "+strings.Repeat("b", pieces[i]) {
			t.Errorf("piece %d of the 5 MiB line is %d bytes, want %d", i, len(l), pieces[i])
		}
	}
}

func TestMuxLongLineDoesNotStallOthers(t *testing.T) {
	var out testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	longR, longW, _ := os.Pipe()
	shortR, shortW, _ := os.Pipe()
	done := make(chan struct{})
	go func() { m.Copy("long", Stdout, longR); close(done) }()
	go m.Copy("short", Stdout, shortR)
	longW.Write(bytes.Repeat([]byte("x"), 512<<10)) // half a line, still open
	shortW.Write([]byte("meanwhile\n"))
	testkit.WaitFor(t, "the short line", 5*time.Second, func() bool { return strings.Contains(out.String(), "short | meanwhile\n") })
	longW.Write([]byte("end\n"))
	longW.Close()
	shortW.Close()
	<-done
	if !strings.Contains(out.String(), "long | "+strings.Repeat("x", 512<<10)+"end\n") {
		t.Error("the long line did not arrive whole")
	}
}

func TestMuxBackpressureLosesNothing(t *testing.T) {
	r := testkit.Reaper(t)
	pr, pw, _ := os.Pipe()
	m := NewMux(OutputOptions{Stdout: pw, Stderr: io.Discard})
	src := pipeProducer(t, r, "seq 1 100000")
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

func TestMuxWriteErrorDrainsInput(t *testing.T) {
	r := testkit.Reaper(t)
	pr, pw, _ := os.Pipe()
	pr.Close() // the log reader went away
	m := NewMux(OutputOptions{Stdout: pw, Stderr: io.Discard})
	err := m.Copy("seq", Stdout, pipeProducer(t, r, "seq 1 100000"))
	if !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Copy = %v, want EPIPE after draining", err)
	}
}

func TestMuxWriter(t *testing.T) {
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	w := m.Writer("job", Stdout)
	fmt.Fprint(w, "a\nb")
	fmt.Fprint(w, "c\nd")
	w.Close()
	if out.String() != "job  | a\njob  | bc\njob  | d\n" {
		t.Errorf("got %q", out.String())
	}
}

// TestMuxStalledStdoutHoldsOnlyTheCopier fills tend's stdout, a real pipe
// nobody reads: the copier blocks (so does its child, nothing is lost), but
// tend's own lines return at once, stderr (another file) still gets its
// lines, and Drain gives up at the deadline, counting what it dropped.
func TestMuxStalledStdoutHoldsOnlyTheCopier(t *testing.T) {
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
