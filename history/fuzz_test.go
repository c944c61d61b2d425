package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzLoad opens a history file of any content: Open must not panic, keep at
// most Keep valid runs per job, and after an Add the file must read back as
// exactly the runs in memory.
func FuzzLoad(f *testing.F) {
	r := mkRun("a", 0, OutcomeOK)
	line := `{"job":"a","scheduled":"2026-11-24T09:00:00Z","started":"2026-11-24T09:00:01+01:00","duration_ns":1000000000,"exit_code":0,"outcome":"ok"}`
	f.Add([]byte(""))
	f.Add([]byte(line + "\n"))
	f.Add([]byte(line + "\n" + line[:40]))
	f.Add([]byte(line + "\n\n" + "garbage\n" + `{"job":"b","duration_ns":-1}` + "\n" + line))
	f.Add([]byte(`{"job":"a","started":"0000-01-01T00:00:00+01:00"}` + "\n"))
	f.Add([]byte("null\n{}\n[]\n\"x\"\n\x00\xff"))
	f.Add([]byte(`{"job":"` + strings.Repeat("j", maxLine) + `"}` + "\n" + line + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "history.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		checkKept(t, s)
		// Add to a loaded job, if any, and to a new one.
		for job := range s.jobs {
			r.Job = job
			break
		}
		for _, add := range []Run{r, {Job: "fuzz", Started: time.Unix(1, 0), Outcome: OutcomeOK}} {
			if err := s.Add(add); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		checkKept(t, s2)
		if len(s2.jobs) != len(s.jobs) {
			t.Fatalf("reopened %d jobs, want %d", len(s2.jobs), len(s.jobs))
		}
		for job := range s.jobs {
			got, want := s2.Runs(job), s.Runs(job)
			if len(got) != len(want) {
				t.Fatalf("reopened %d runs of %q, want %d", len(got), job, len(want))
			}
			for i := range got {
				if !sameRun(got[i], want[i]) {
					t.Fatalf("reopened run %d of %q = %+v, want %+v", i, job, got[i], want[i])
				}
			}
		}
	})
}

// checkKept checks that s keeps at most Keep valid runs of each job.
func checkKept(t *testing.T, s *Store) {
	t.Helper()
	for job := range s.jobs {
		rs := s.Runs(job)
		if len(rs) == 0 || len(rs) > Keep {
			t.Fatalf("%d runs of %q kept, want 1 to %d", len(rs), job, Keep)
		}
		for _, r := range rs {
			if r.Job != job || !encodable(r) {
				t.Fatalf("run %+v kept under %q", r, job)
			}
		}
		st := s.Stats(job)
		if _, ok := st.Remaining(time.Unix(0, 0), time.Unix(1, 0)); ok != !st.LastSuccess.IsZero() {
			t.Fatalf("Remaining ok = %v with LastSuccess %v", ok, st.LastSuccess)
		}
	}
}

// sameRun reports whether a and b are the same run; times are compared as
// instants, since a zone may read back as Local, UTC or a fixed offset.
func sameRun(a, b Run) bool {
	return a.Job == b.Job && a.Scheduled.Equal(b.Scheduled) && a.Started.Equal(b.Started) &&
		a.Duration == b.Duration && a.ExitCode == b.ExitCode && a.Outcome == b.Outcome
}
