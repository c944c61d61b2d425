package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run's output is kept with it and reads back from the file; output
// too long for a line (control bytes JSON escapes six-fold) is shortened
// from the front, in memory as in the file.
func TestRunOutputKeptAndFitted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.jsonl")
	s := mustOpen(t, path)
	r := mkRun("a", 0, OutcomeFailed)
	r.Output, r.ErrorLine = "hello\nboom\n", "boom"
	huge := mkRun("a", 1, OutcomeFailed)
	huge.Output = strings.Repeat("\x01", 40<<10) + "the end\n"
	mustAdd(t, s, r, huge)
	s.Close()
	runs := mustOpen(t, path).Runs("a")
	if len(runs) != 2 || runs[0].Output != r.Output || runs[0].ErrorLine != "boom" {
		t.Fatalf("read back: %+v", runs)
	}
	if out := runs[1].Output; !strings.HasSuffix(out, "\x01the end\n") || len(out) > maxLine/6 || len(out) < maxLine/12 {
		t.Errorf("the huge output read back as %d bytes ending %q", len(out), out[max(len(out)-10, 0):])
	}
}

// With output in the runs, compaction is also triggered by the file's
// size: it never grows past 4× what the kept runs take (1 MiB at least),
// plus one line.
func TestCompactionBoundedByBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.jsonl")
	s := mustOpen(t, path)
	out := strings.Repeat("output line of a cron run\n", 16<<10/26) // about 16 KiB
	largest, kept := int64(0), int64(0)
	for i := range 400 {
		r := mkRun([]string{"a", "b"}[i%2], i, OutcomeOK)
		r.Output = out
		mustAdd(t, s, r)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		largest = max(largest, fi.Size())
		kept = max(kept, s.kept)
	}
	if bound := max(minCompactBytes, 4*kept) + maxLine; largest > bound {
		t.Errorf("the file reached %d bytes, over %d", largest, bound)
	}
	if got := len(s.Runs("a")); got != Keep {
		t.Errorf("%d runs of a kept", got)
	}
	t.Logf("2 jobs × 16 KiB output: largest file %d bytes (kept runs about %d)", largest, kept)
}
