package history

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var base = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// mkRun returns run i of job: scheduled i minutes after base, started a
// second later, lasting i+1 seconds.
func mkRun(job string, i int, outcome string) Run {
	sched := base.Add(time.Duration(i) * time.Minute)
	exit := 0
	if outcome != OutcomeOK {
		exit = 1
	}
	return Run{
		Job:       job,
		Scheduled: sched,
		Started:   sched.Add(time.Second),
		Duration:  time.Duration(i+1) * time.Second,
		ExitCode:  exit,
		Outcome:   outcome,
	}
}

func mustOpen(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustAdd(t *testing.T, s *Store, runs ...Run) {
	t.Helper()
	for _, r := range runs {
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
	}
}

// lines returns the lines of the file at path, failing unless it ends in '\n'.
func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		return nil
	}
	if data[len(data)-1] != '\n' {
		t.Fatalf("%s does not end with a newline: %q", path, data)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func TestMemoryStore(t *testing.T) {
	s := mustOpen(t, "")
	a0, b0, a1 := mkRun("a", 0, OutcomeOK), mkRun("b", 0, OutcomeFailed), mkRun("a", 1, OutcomeSkipped)
	mustAdd(t, s, a0, b0, a1)
	if got, want := s.Runs("a"), []Run{a0, a1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Runs(a) = %+v, want %+v", got, want)
	}
	if got, want := s.Runs("b"), []Run{b0}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Runs(b) = %+v, want %+v", got, want)
	}
	if got := s.Runs("c"); got != nil {
		t.Fatalf("Runs(c) = %+v, want nil", got)
	}
	// Runs returns a copy.
	s.Runs("a")[0].Outcome = "changed"
	if got := s.Runs("a")[0]; got != a0 {
		t.Fatalf("Runs(a)[0] = %+v after changing a copy", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(mkRun("a", 2, OutcomeOK)); err != nil {
		t.Fatalf("Add after Close on a memory store: %v", err)
	}
	if n := len(s.Runs("a")); n != 3 {
		t.Fatalf("%d runs of a, want 3", n)
	}
}

func TestKeepBound(t *testing.T) {
	s := mustOpen(t, "")
	const n = Keep + 17
	for i := range n {
		mustAdd(t, s, mkRun("a", i, OutcomeOK))
	}
	got := s.Runs("a")
	if len(got) != Keep {
		t.Fatalf("%d runs kept, want %d", len(got), Keep)
	}
	for i, r := range got {
		if want := mkRun("a", n-Keep+i, OutcomeOK); r != want {
			t.Fatalf("run %d = %+v, want %+v", i, r, want)
		}
	}
	if st := s.Stats("a"); st.Runs != n {
		t.Fatalf("Stats.Runs = %d, want %d (counted since Open, not kept)", st.Runs, n)
	}
}

func TestAddInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	s := mustOpen(t, path)
	neg := mkRun("a", 0, OutcomeOK)
	neg.Duration = -time.Second
	far := mkRun("a", 0, OutcomeOK)
	far.Started = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []Run{mkRun("", 0, OutcomeOK), neg, far} {
		if err := s.Add(r); err == nil {
			t.Errorf("Add(%+v) succeeded", r)
		}
	}
	if got := s.Runs("a"); got != nil {
		t.Fatalf("invalid runs kept: %+v", got)
	}
	if st := s.Stats("a"); !reflect.DeepEqual(st, Stats{}) {
		t.Fatalf("invalid runs counted: %+v", st)
	}
	if got := lines(t, path); got != nil {
		t.Fatalf("invalid runs written: %q", got)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	s := mustOpen(t, path)
	var want []Run
	for i := range 5 {
		r := mkRun("a", i, []string{OutcomeOK, OutcomeFailed, OutcomeSkipped}[i%3])
		if i == 3 {
			// A manual run, started in another zone: the file keeps the
			// offset, not the zone's name.
			r.Scheduled = time.Time{}
			r.Started = r.Started.In(time.FixedZone("", 3600))
		}
		want = append(want, r)
		mustAdd(t, s, r)
	}
	now := time.Now() // with a monotonic reading, in Local
	mustAdd(t, s, Run{Job: "b", Started: now, Duration: 3, Outcome: OutcomeOK})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(lines(t, path)); n != 6 {
		t.Fatalf("%d lines, want 6", n)
	}

	s2 := mustOpen(t, path)
	if got := s2.Runs("a"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen Runs(a) =\n%+v\nwant\n%+v", got, want)
	}
	b := s2.Runs("b")
	if len(b) != 1 || !b[0].Started.Equal(now) || b[0].Duration != 3 || b[0].Outcome != OutcomeOK {
		t.Fatalf("after reopen Runs(b) = %+v, want one run started %v", b, now)
	}
	// Counters are since Open; figures from kept runs survive.
	st := s2.Stats("a")
	if st.Runs != 0 || st.Failures != 0 || st.Skips != 0 {
		t.Fatalf("counters after reopen = %+v, want 0", st)
	}
	if want := want[3].Started.Add(want[3].Duration); !st.LastSuccess.Equal(want) {
		t.Fatalf("LastSuccess after reopen = %v, want %v", st.LastSuccess, want)
	}
}

func TestNewFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	mustOpen(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o644 {
		t.Fatalf("mode %v, want -rw-r--r--", fi.Mode())
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "history.jsonl")
	s, err := Open(path)
	if !errors.Is(err, fs.ErrNotExist) || s != nil {
		t.Fatalf("Open = %v, %v; want nil and fs.ErrNotExist", s, err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name %s", err, path)
	}
}

func TestOpenDirectory(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil {
		t.Fatal("Open of a directory succeeded")
	}
}

func TestAddAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	s := mustOpen(t, path)
	mustAdd(t, s, mkRun("a", 0, OutcomeOK))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Add(mkRun("a", 1, OutcomeOK)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close = %v, want ErrClosed", err)
	}
	if n := len(s.Runs("a")); n != 2 {
		t.Fatalf("%d runs in memory, want 2", n)
	}
	if n := len(lines(t, path)); n != 1 {
		t.Fatalf("%d lines, want 1", n)
	}
}

// TestWriteErrorKeepsRun makes one append fail: the run stays in memory, the
// error is returned, and the next Add reopens the file and writes.
func TestWriteErrorKeepsRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	s := mustOpen(t, path)
	s.f.Close() // the next write fails
	if err := s.Add(mkRun("a", 0, OutcomeOK)); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Add with a closed file = %v, want an error naming %s", err, path)
	}
	mustAdd(t, s, mkRun("a", 1, OutcomeOK))
	if n := len(s.Runs("a")); n != 2 {
		t.Fatalf("%d runs in memory, want 2", n)
	}
	s2 := mustOpen(t, path)
	if got, want := s2.Runs("a"), []Run{mkRun("a", 1, OutcomeOK)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("file holds %+v, want %+v", got, want)
	}
}

func TestConcurrentAdds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	s, err := open(path, 0) // compact as soon as the file holds 4×Keep×jobs lines
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 3 * Keep
	var wg sync.WaitGroup
	for w := range workers {
		job := fmt.Sprintf("job%d", w%2)
		wg.Go(func() {
			for i := range each {
				outcome := OutcomeOK
				if i%3 == 0 {
					outcome = OutcomeFailed
				}
				if err := s.Add(mkRun(job, w*each+i, outcome)); err != nil {
					t.Error(err)
				}
				s.Runs(job)
				s.Stats(job)
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, path)
	for _, job := range []string{"job0", "job1"} {
		want := Stats{Runs: 2 * each, Failures: 2 * each / 3}
		if st := s.Stats(job); st.Runs != want.Runs || st.Failures != want.Failures || st.Skips != 0 {
			t.Errorf("Stats(%s) = %+v, want counts %+v", job, st, want)
		}
		got := s.Runs(job)
		if len(got) != Keep {
			t.Errorf("%d runs of %s kept, want %d", len(got), job, Keep)
		}
		if reopened := s2.Runs(job); !reflect.DeepEqual(reopened, got) {
			t.Errorf("reopened runs of %s differ:\n%+v\nwant\n%+v", job, reopened, got)
		}
	}
	if n := len(lines(t, path)); n > 4*Keep*2+1 {
		t.Fatalf("file has %d lines, not compacted", n)
	}
}
