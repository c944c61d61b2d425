package output

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// The throughput benchmarks mirror pbench's "one" variant: one producer
// writes benchLines lines of benchLineLen bytes (newline included) in
// 64 KiB writes into a real pipe, and a real pipe reader drains tend's
// stdout into io.Discard. Run them with
//
//	go test -bench 'MuxCopy' -run '^$' -count 5 ./output/
//
// and compare BenchmarkMuxCopy with BenchmarkMuxCopyBaseline (io.Copy of
// the same bytes from pipe to pipe: the physical limit of one pipe hop).
const (
	benchLines   = 1_000_000
	benchLineLen = 100
)

// benchChunk returns whole 100-byte lines filling about 64 KiB, the size of
// one write of the producer.
func benchChunk() []byte {
	line := append(bytes.Repeat([]byte("x"), benchLineLen-1), '\n')
	perChunk := (64 << 10) / benchLineLen
	return bytes.Repeat(line, perChunk)
}

// benchProducer writes benchLines lines into a new pipe and returns its read
// end; the write end is closed when everything was written.
func benchProducer(b *testing.B) *os.File {
	b.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	chunk := benchChunk()
	perChunk := len(chunk) / benchLineLen
	go func() {
		defer pw.Close()
		for left := benchLines; left > 0; left -= perChunk {
			n := min(left, perChunk) * benchLineLen
			if _, err := pw.Write(chunk[:n]); err != nil {
				return
			}
		}
	}()
	return pr
}

// benchSink returns the write end of a pipe drained into io.Discard and a
// function that closes it and waits for the drain to finish.
func benchSink(b *testing.B) (*os.File, func()) {
	b.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, pr)
		pr.Close()
		close(done)
	}()
	return pw, func() { pw.Close(); <-done }
}

func reportThroughput(b *testing.B) {
	b.Helper()
	secs := b.Elapsed().Seconds()
	if secs == 0 {
		return
	}
	b.ReportMetric(float64(b.N)*benchLines*benchLineLen/1e6/secs, "MB/s")
	b.ReportMetric(float64(b.N)*benchLines/secs, "lines/s")
}

// BenchmarkMuxCopy measures Copy with name prefixes, one producer.
func BenchmarkMuxCopy(b *testing.B) {
	benchmarkMux(b, OutputOptions{Prefix: true})
}

// BenchmarkMuxCopyTimestamps adds the "15:04:05 " stamp to every line.
func BenchmarkMuxCopyTimestamps(b *testing.B) {
	benchmarkMux(b, OutputOptions{Prefix: true, Timestamps: true, Color: true})
}

// BenchmarkMuxCopyJSON prints every line as a JSON object
// (--log-format json).
func BenchmarkMuxCopyJSON(b *testing.B) {
	benchmarkMux(b, OutputOptions{JSON: true})
}

// BenchmarkMuxCopyLogBuffer is BenchmarkMuxCopy with the log buffer of
// `tend logs` on, at tend start's default size (1 MiB).
func BenchmarkMuxCopyLogBuffer(b *testing.B) {
	benchmarkMux(b, OutputOptions{Prefix: true, LogBuffer: 1 << 20})
}

// benchmarkMux copies one producer's lines through a Mux set up with opts.
func benchmarkMux(b *testing.B, opts OutputOptions) {
	for b.Loop() {
		b.StopTimer()
		src := benchProducer(b)
		sink, wait := benchSink(b)
		opts.Stdout, opts.Stderr = sink, io.Discard
		m := NewMux(opts)
		m.SetNames([]string{"web.1"})
		b.StartTimer()
		if err := m.Copy("web.1", Stdout, src); err != nil {
			b.Fatal(err)
		}
		wait()
		src.Close()
	}
	reportThroughput(b)
}

// BenchmarkMuxCopyBaseline copies the same bytes with io.Copy from pipe to
// pipe: what no line handling at all costs.
func BenchmarkMuxCopyBaseline(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		src := benchProducer(b)
		sink, wait := benchSink(b)
		b.StartTimer()
		if _, err := io.Copy(sink, src); err != nil {
			b.Fatal(err)
		}
		wait()
		src.Close()
	}
	reportThroughput(b)
}

// BenchmarkMuxCopyNoPrefix is --no-prefix: lines as they came.
func BenchmarkMuxCopyNoPrefix(b *testing.B) {
	benchmarkMux(b, OutputOptions{})
}
