package output

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/pipefd"
)

// writeInCuts writes data into a new pipe in chunks of random sizes (the
// cuts fall anywhere in a line) and returns the read end.
func writeInCuts(t *testing.T, data []byte, seed uint64) *os.File {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(seed, 1))
	go func() {
		defer pw.Close()
		for len(data) > 0 {
			n := min(len(data), 1+rnd.IntN(200<<10))
			if _, err := pw.Write(data[:n]); err != nil {
				return
			}
			data = data[n:]
		}
	}()
	return pr
}

// TestPipeRawLinesAsTheBatchMakesThem: with --no-prefix a pipe's lines are
// written from the read buffer; what comes out, and what `tend logs`
// replays, is exactly what the line-by-line way makes of the same bytes.
func TestPipeRawLinesAsTheBatchMakesThem(t *testing.T) {
	t.Parallel()
	input := testkit.ChildOutput(pipefd.BufSize)
	want := expectedLines(input)
	for seed := range uint64(3) {
		var out testkit.Buffer
		m := NewMux(OutputOptions{Stdout: &out, Stderr: &out, LogBuffer: 64 << 20})
		if err := m.Copy("p", Stdout, writeInCuts(t, input, seed)); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != want {
			t.Fatalf("seed %d: %d bytes out, want %d; first difference at %d", seed, len(got), len(want), firstDiff(got, want))
		}
		if got, _ := logsOf(t, m, LogQuery{Lines: -1}); got != want {
			t.Fatalf("seed %d: logs replay %d bytes, want %d; first difference at %d", seed, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestQuietPipesHoldNoReadBuffer: a thousand children that printed one
// line each and stay quiet do not keep a read buffer each (64 KiB apiece
// before: 64 MiB here).
func TestQuietPipesHoldNoReadBuffer(t *testing.T) {
	const children = 1000
	var out testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &out, Stderr: &out, Prefix: true})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var copies sync.WaitGroup
	writers := make([]*os.File, children)
	for i := range writers {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		writers[i] = pw
		copies.Go(func() { _ = m.Copy(fmt.Sprintf("p%d", i), Stdout, pr) })
		fmt.Fprintf(pw, "hello from %d\n", i)
	}
	defer func() {
		for _, pw := range writers {
			pw.Close()
		}
		copies.Wait()
	}()
	for strings.Count(out.String(), "\n") < children {
		runtime.Gosched()
	}
	// A copy gives its buffer back just after its line is out: allow the
	// last ones a moment to get there.
	limit := int64(children * readSize / 8)
	var grown int64
	for range 50 {
		var after runtime.MemStats
		runtime.GC()
		runtime.GC() // the second empties the pool's victim cache
		runtime.ReadMemStats(&after)
		if grown = int64(after.HeapInuse) - int64(before.HeapInuse); grown < limit {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%d quiet copies hold %d KiB of heap, want under %d KiB", children, grown>>10, limit>>10)
}
