package history

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// jsonLine returns r as it is written to the file, without the '\n'.
func jsonLine(t *testing.T, r Run) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.jsonl")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTornLastLine checks that a last line without its '\n' (a crash in the
// middle of a write) is skipped if it is incomplete, and that the next record
// starts on a line of its own.
func TestTornLastLine(t *testing.T) {
	r0, r1, next := mkRun("a", 0, OutcomeOK), mkRun("a", 1, OutcomeFailed), mkRun("a", 2, OutcomeOK)
	l0, l1 := jsonLine(t, r0), jsonLine(t, r1)
	torn := l1[:len(l1)/2]
	tests := []struct {
		name    string
		content string
		loaded  []Run    // runs after Open
		lines   []string // file lines after Add(next)
	}{
		{"half an object", l0 + "\n" + torn, []Run{r0}, []string{l0, torn, jsonLine(t, next)}},
		{"only half an object", torn, nil, []string{torn, jsonLine(t, next)}},
		{"one byte", l0 + "\n{", []Run{r0}, []string{l0, "{", jsonLine(t, next)}},
		{"whole object, no newline", l0 + "\n" + l1, []Run{r0, r1}, []string{l0, l1, jsonLine(t, next)}},
		{"empty file", "", nil, []string{jsonLine(t, next)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			s := mustOpen(t, path)
			if got := s.Runs("a"); !reflect.DeepEqual(got, tt.loaded) {
				t.Fatalf("loaded %+v, want %+v", got, tt.loaded)
			}
			mustAdd(t, s, next)
			if got := lines(t, path); !reflect.DeepEqual(got, tt.lines) {
				t.Fatalf("file lines\n%q\nwant\n%q", got, tt.lines)
			}
			s.Close()
			want := append(tt.loaded[:len(tt.loaded):len(tt.loaded)], next)
			if got := mustOpen(t, path).Runs("a"); !reflect.DeepEqual(got, want) {
				t.Fatalf("reopened %+v, want %+v", got, want)
			}
		})
	}
}

func TestGarbageLinesSkipped(t *testing.T) {
	good := mkRun("a", 0, OutcomeOK)
	garbage := []string{
		"",
		"not json",
		"null",
		"[1, 2]",
		`"a string"`,
		"{}",                               // no job
		`{"job": ""}`,                      // empty job
		`{"job": "a", "duration_ns": -1}`,  // negative duration
		`{"job": "a", "duration_ns": 1.5}`, // not an integer
		`{"job": "a", "started": "yesterday"}`,
		`{"job": "a", "exit_code": "1"}`,
		jsonLine(t, good) + " trailing",
		jsonLine(t, good) + jsonLine(t, good),
		"\x00\xff\xfe",
	}
	// Unknown fields are ignored: a newer tend may add some.
	extra := mkRun("a", 1, OutcomeFailed)
	extraLine := strings.TrimSuffix(jsonLine(t, extra), "}") + `, "signal": "TERM"}`
	content := jsonLine(t, good) + "\n" + strings.Join(garbage, "\n") + "\n" + extraLine + "\n"
	s := mustOpen(t, writeFile(t, content))
	if got, want := s.Runs("a"), []Run{good, extra}; !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
	if got := s.Runs(""); got != nil {
		t.Fatalf("runs without a job loaded: %+v", got)
	}
}

func TestLoadKeepsLastPerJob(t *testing.T) {
	var b strings.Builder
	var want []Run
	for i := range 3 * Keep {
		r := mkRun("a", i, OutcomeOK)
		if i >= 2*Keep {
			want = append(want, r)
		}
		b.WriteString(jsonLine(t, r) + "\n")
		b.WriteString(jsonLine(t, mkRun("b", i, OutcomeOK)) + "\n")
	}
	s := mustOpen(t, writeFile(t, b.String()))
	if got := s.Runs("a"); !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %d runs of a, want the last %d: %+v", len(got), Keep, got)
	}
	if n := len(s.Runs("b")); n != Keep {
		t.Fatalf("loaded %d runs of b, want %d", n, Keep)
	}
}

// TestCompactLargeFile opens a file past the compaction threshold: the first
// Add rewrites it with the last Keep runs per job, in the order they were
// recorded, and keeps its mode.
func TestCompactLargeFile(t *testing.T) {
	jobs := []string{"a", "b", "c"}
	var b strings.Builder
	var all []Run
	for i := 0; len(all) <= minCompactLines; i++ {
		r := mkRun(jobs[i%len(jobs)], i, OutcomeOK)
		all = append(all, r)
		b.WriteString(jsonLine(t, r) + "\ngarbage\n")
	}
	path := writeFile(t, b.String())
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path)
	next := mkRun("a", len(all), OutcomeOK)
	all = append(all, next)
	mustAdd(t, s, next)

	var want []string
	for _, r := range lastPerJob(all) {
		want = append(want, jsonLine(t, r))
	}
	if len(want) != Keep*len(jobs) {
		t.Fatalf("test expects %d lines, want %d", len(want), Keep*len(jobs))
	}
	if got := lines(t, path); !reflect.DeepEqual(got, want) {
		t.Fatalf("compacted file has %d lines, want %d:\n%q\nwant\n%q", len(got), len(want), got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Fatalf("mode after compaction %v, want -rw-------", fi.Mode())
	}
	// Appends go to the compacted file.
	after := mkRun("b", len(all), OutcomeOK)
	mustAdd(t, s, after)
	if got := lines(t, path); len(got) != len(want)+1 || got[len(want)] != jsonLine(t, after) {
		t.Fatalf("after compaction Add wrote %q", got[len(want):])
	}
	s.Close()
	s2 := mustOpen(t, path)
	for _, job := range jobs {
		if got, want := s2.Runs(job), s.Runs(job); !reflect.DeepEqual(got, want) {
			t.Fatalf("reopened runs of %s differ:\n%+v\nwant\n%+v", job, got, want)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d files, want only the history", len(entries))
	}
}

// TestCompactByAdds checks the threshold of a file written only by Add:
// 4×Keep×jobs lines, then a rewrite to Keep lines per job.
func TestCompactByAdds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	s, err := open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	threshold := 4 * Keep
	for i := range threshold {
		mustAdd(t, s, mkRun("a", i, OutcomeOK))
	}
	if n := len(lines(t, path)); n != threshold {
		t.Fatalf("%d lines before the threshold, want %d", n, threshold)
	}
	mustAdd(t, s, mkRun("a", threshold, OutcomeOK))
	got := lines(t, path)
	if len(got) != Keep || got[Keep-1] != jsonLine(t, mkRun("a", threshold, OutcomeOK)) {
		t.Fatalf("after compaction %d lines ending %q, want %d ending with the last run", len(got), got[len(got)-1], Keep)
	}
	mustAdd(t, s, mkRun("a", threshold+1, OutcomeOK))
	if n := len(lines(t, path)); n != Keep+1 {
		t.Fatalf("%d lines after one more Add, want %d", n, Keep+1)
	}
}

// lastPerJob returns the runs among all that are one of the last Keep of
// their job, in their order in all.
func lastPerJob(all []Run) []Run {
	left := make(map[string]int) // how many later runs of the job are kept
	var rev []Run
	for i := len(all) - 1; i >= 0; i-- {
		if left[all[i].Job] < Keep {
			left[all[i].Job]++
			rev = append(rev, all[i])
		}
	}
	slices.Reverse(rev)
	return rev
}

// TestCompactError makes a compaction fail (its directory is gone): Add
// returns the error, keeps the run, and retries the compaction later.
func TestCompactError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "history.jsonl")
	s, err := open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 4 * Keep {
		mustAdd(t, s, mkRun("a", i, OutcomeOK))
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	last := mkRun("a", 4*Keep, OutcomeOK)
	err = s.Add(last)
	if err == nil || !strings.Contains(err.Error(), "compact "+path) {
		t.Fatalf("Add = %v, want a compaction error", err)
	}
	if got := s.Runs("a"); len(got) != Keep || got[Keep-1] != last {
		t.Fatalf("after a failed compaction %d runs ending %+v, want %d ending %+v", len(got), got[len(got)-1], Keep, last)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, mkRun("a", 4*Keep+1, OutcomeOK))
	if got, want := mustOpen(t, path).Runs("a"), s.Runs("a"); !reflect.DeepEqual(got, want) {
		t.Fatalf("file after a retried compaction holds %d runs, want %d", len(got), len(want))
	}
}
