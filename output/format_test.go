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
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/linebatch"
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

// TestOutputLongLinePieces checks the line limit (linebatch.MaxLine) with
// content that shows the order of the pieces and with a "\r\n" ending
// split across reads.
func TestOutputLongLinePieces(t *testing.T) {
	t.Parallel()
	pattern := func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString(strconv.Itoa(i))
			b.WriteByte(',')
		}
		return b.String()[:n]
	}
	const mib = linebatch.MaxLine // the limit, whatever it is
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

func TestMuxLongLines(t *testing.T) {
	r := testkit.Reaper(t)
	var out bytes.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: io.Discard, Prefix: true})
	// A 1 MiB line stays whole; a 5 MiB line comes in 2 MiB pieces.
	src := producerPipe(t, r, "head -c 1048576 /dev/zero | tr '\\0' a; echo; head -c 5242880 /dev/zero | tr '\\0' b; echo")
	if err := m.Copy("big.1", Stdout, src); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 1 + 3 pieces", len(lines))
	}
	pieces := []int{linebatch.MaxLine, linebatch.MaxLine, 5<<20 - 2*linebatch.MaxLine}
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
