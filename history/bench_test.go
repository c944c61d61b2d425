package history

import (
	"path/filepath"
	"testing"
	"time"
)

func benchmarkAdd(b *testing.B, path string) {
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := range b.N {
		r := Run{Job: "job", Started: start.Add(time.Duration(i) * time.Minute), Duration: time.Second, Outcome: OutcomeOK}
		if err := s.Add(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddMemory is the baseline: a store without a file.
func BenchmarkAddMemory(b *testing.B) { benchmarkAdd(b, "") }

// BenchmarkAddFile appends and fsyncs one line per run (compacting now and
// then), as `tend start --history FILE` does after every cron run.
func BenchmarkAddFile(b *testing.B) { benchmarkAdd(b, filepath.Join(b.TempDir(), "h.jsonl")) }
