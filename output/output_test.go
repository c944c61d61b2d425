package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/proc"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// outNow is the injected clock of the format tests.
func outNow() time.Time { return time.Date(2026, 11, 24, 9, 8, 7, 123456789, time.UTC) }

// runOutputScenario drives a Mux the way the supervisor does (own lines,
// a process on stdout, another on stderr) and returns what each of tend's
// streams received.
func runOutputScenario(t *testing.T, opts OutputOptions, input []byte) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	opts.Stdout, opts.Stderr, opts.Now = &stdout, &stderr, outNow
	m := NewMux(opts)
	m.SetNames([]string{"web.1", "worker.10"})
	m.Printf("web.1 started with pid %d", 42)
	syncOwn(t, m)
	if err := m.Copy("web.1", Stdout, bytes.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	if err := m.Copy("worker.10", Stderr, strings.NewReader("boom\n")); err != nil {
		t.Fatal(err)
	}
	m.Errorf("worker.10 exited with code %d\nsecond line", 3)
	syncOwn(t, m)
	return stdout.String(), stderr.String()
}

// TestOutputFormats checks the exact bytes of every output mode against
// testdata/output/<case>.golden (go test -run TestOutputFormats -update).
func TestOutputFormats(t *testing.T) {
	input, err := os.ReadFile("../testdata/output/lines.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts OutputOptions
	}{
		{"prefix", OutputOptions{Prefix: true}},
		{"timestamps", OutputOptions{Prefix: true, Timestamps: true}},
		{"color", OutputOptions{Prefix: true, Color: true}},
		{"color-timestamps", OutputOptions{Prefix: true, Color: true, Timestamps: true}},
		{"no-prefix", OutputOptions{Color: true, Timestamps: true}},
		{"json", OutputOptions{JSON: true, Prefix: true, Color: true, Timestamps: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr := runOutputScenario(t, tc.opts, input)
			got := "--- stdout\n" + stdout + "--- stderr\n" + stderr
			golden := filepath.Join("../testdata/output", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", strconv.Quote(got), strconv.Quote(string(want)))
			}
		})
	}
}

// TestOutputJSONDecodes decodes every JSON line: content must round-trip
// except invalid UTF-8, which becomes U+FFFD.
func TestOutputJSONDecodes(t *testing.T) {
	input, err := os.ReadFile("../testdata/output/lines.txt")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := runOutputScenario(t, OutputOptions{JSON: true}, input)
	type record struct{ Time, Process, Stream, Line string }
	var got []record
	for _, line := range strings.SplitAfter(stdout+stderr, "\n") {
		if line == "" {
			continue
		}
		var r record
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		got = append(got, r)
	}
	var want []record
	add := func(process, stream string, lines ...string) {
		for _, l := range lines {
			want = append(want, record{"2026-11-24T09:08:07.123456789Z", process, stream, l})
		}
	}
	add("tend", "stdout", "web.1 started with pid 42")
	add("web.1", "stdout", "hello", "world", "", "  indented\ttab",
		"raw \x1b[31mred\x1b[0m and \ufffd bad utf8", `quote " backslash \ `+"\x01 ctrl", "last without newline")
	add("worker.10", "stderr", "boom")
	add("tend", "stderr", "worker.10 exited with code 3", "second line")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
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

// TestOutputLongLinePieces checks the line limit (maxLine) with content that shows
// the order of the pieces and with a "\r\n" ending split across reads.
func TestOutputLongLinePieces(t *testing.T) {
	pattern := func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString(strconv.Itoa(i))
			b.WriteByte(',')
		}
		return b.String()[:n]
	}
	const mib = maxLine // the limit, whatever it is
	three := pattern(3*mib + 5)
	for _, tc := range []struct {
		name  string
		input string
		want  []string
	}{
		{"exactly the limit", pattern(mib) + "\n", []string{pattern(mib)}},
		{"exactly the limit with CRLF", pattern(mib) + "\r\n", []string{pattern(mib)}},
		{"the limit and one byte", pattern(mib+1) + "\n", []string{pattern(mib), pattern(mib + 1)[mib:]}},
		{"three limits and more without newline", three, []string{three[:mib], three[mib : 2*mib], three[2*mib : 3*mib], three[3*mib:]}},
		{"CR at a piece boundary", pattern(mib-1) + "\rtail\n", []string{pattern(mib-1) + "\r", "tail"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
			// A pipe-like reader: at most 64 KiB per read.
			src := io.LimitReader(strings.NewReader(tc.input), int64(len(tc.input)))
			if err := m.Copy("big", Stdout, struct{ io.Reader }{smallReads{src, 64 << 10}}); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(got) != len(tc.want) {
				t.Fatalf("%d lines, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				if got[i] != "big  | "+w {
					t.Errorf("line %d: %d bytes, want %d", i+1, len(got[i]), len("big  | "+w))
				}
			}
		})
	}
}

// smallReads returns at most n bytes per Read, like a pipe.
type smallReads struct {
	r io.Reader
	n int
}

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

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

// failingReader returns data, then err.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestOutputReadError: lines read before a read error are printed (the
// partial one completed) and the error is returned wrapped.
func TestOutputReadError(t *testing.T) {
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	boom := errors.New("boom")
	err := m.Copy("web.1", Stdout, &failingReader{"one\ntw", boom})
	if !errors.Is(err, boom) || err.Error() != "read output of web.1: boom" {
		t.Errorf("Copy = %v, want read output of web.1: boom", err)
	}
	if out.String() != "web.1 | one\nweb.1 | tw\n" {
		t.Errorf("got %q", out.String())
	}
}

// TestOutputWritersConcurrent: in-process producers writing partial lines
// from many goroutines still print whole lines; Close completes the last.
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
	var wg sync.WaitGroup
	for i := range writers {
		w := m.Writer(fmt.Sprintf("w%d", i), Stream(i%2))
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

// expectedLines is what Copy must print for input in --no-prefix mode:
// every line once, "\r\n" as "\n", a last line without "\n" completed.
func expectedLines(input []byte) string {
	var b strings.Builder
	for len(input) > 0 {
		line, rest, _ := bytes.Cut(input, []byte("\n"))
		b.Write(bytes.TrimSuffix(line, []byte("\r")))
		b.WriteByte('\n')
		input = rest
	}
	return b.String()
}

// FuzzMuxCopy feeds arbitrary bytes in arbitrary read sizes: lines must come
// out whole, in order, each exactly once, whatever the cuts between reads.
func FuzzMuxCopy(f *testing.F) {
	seed, err := os.ReadFile("../testdata/output/lines.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, uint8(7))
	f.Add([]byte("a\r\n\r\n\rb\r"), uint8(1))
	f.Add([]byte("\n\n\n"), uint8(0))
	f.Fuzz(func(t *testing.T, input []byte, step uint8) {
		var out bytes.Buffer
		m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard})
		if err := m.Copy("p", Stdout, smallReads{bytes.NewReader(input), int(step%61) + 1}); err != nil {
			t.Fatal(err)
		}
		if want := expectedLines(input); out.String() != want {
			t.Errorf("input %q in reads of %d:\ngot  %q\nwant %q", input, step%61+1, out.String(), want)
		}
	})
}
