package output

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/logbuf"
)

// logsOf runs a Logs query that does not follow and returns what it sent.
func logsOf(t *testing.T, m *Mux, q LogQuery) (string, int64) {
	t.Helper()
	var out bytes.Buffer
	var missed int64
	err := m.Logs(q, func(data []byte, n int64) error {
		out.Write(data)
		missed += n
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), missed
}

func copyString(t *testing.T, m *Mux, name string, s Stream, text string) {
	t.Helper()
	if err := m.Copy(name, s, strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
}

// TestLogsReplayWhatWasPrinted: the lines of several names and of tend
// itself, on both streams, come back byte for byte in the order they were
// printed.
func TestLogsReplayWhatWasPrinted(t *testing.T) {
	var printed testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, LogBuffer: 1 << 20})
	m.SetNames([]string{"web.1", "worker.1"})
	copyString(t, m, "web.1", Stdout, "one\ntwo\n")
	copyString(t, m, "worker.1", Stderr, "three\n")
	m.Printf("four")
	m.ownFlushed()
	copyString(t, m, "web.1", Stderr, "five\nsix") // no final newline
	copyString(t, m, "worker.1", Stdout, "seven\n")
	want := "web.1    | one\nweb.1    | two\nworker.1 | three\ntend     | four\nweb.1    | five\nweb.1    | six\nworker.1 | seven\n"
	if printed.String() != want {
		t.Fatalf("printed:\n%s", printed.String())
	}
	if got, _ := logsOf(t, m, LogQuery{Lines: -1}); got != want {
		t.Errorf("all:\n%s\nwant:\n%s", got, want)
	}
	web := func(n string) bool { return n == "web.1" }
	if got, _ := logsOf(t, m, LogQuery{Match: web, Lines: -1}); got != "web.1    | one\nweb.1    | two\nweb.1    | five\nweb.1    | six\n" {
		t.Errorf("web.1:\n%s", got)
	}
	// The last lines across names, one batch cut in the middle.
	if got, _ := logsOf(t, m, LogQuery{Lines: 3}); got != "web.1    | five\nweb.1    | six\nworker.1 | seven\n" {
		t.Errorf("-n 3:\n%s", got)
	}
	if got, _ := logsOf(t, m, LogQuery{Match: web, Lines: 3}); got != "web.1    | two\nweb.1    | five\nweb.1    | six\n" {
		t.Errorf("web.1 -n 3:\n%s", got)
	}
	if got, _ := logsOf(t, m, LogQuery{Lines: 0}); got != "" {
		t.Errorf("-n 0: %q", got)
	}
}

// TestLogsEvictWholeLines: a name that printed far more than its buffer
// keeps only its last lines, whole, within the bound.
func TestLogsEvictWholeLines(t *testing.T) {
	const limit = 16 << 10
	var printed testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, LogBuffer: limit})
	var text strings.Builder
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&text, "line %d %s\n", i, strings.Repeat("x", i%37))
	}
	copyString(t, m, "web.1", Stdout, text.String())
	got, missed := logsOf(t, m, LogQuery{Lines: -1})
	if missed != 0 {
		t.Errorf("missed %d", missed)
	}
	if len(got) > limit || len(got) < limit-logbuf.ChunkOverhead-100 {
		t.Errorf("kept %d bytes, want a little under %d", len(got), limit)
	}
	if !strings.HasSuffix(printed.String(), got) || !strings.HasPrefix(got, "web.1 | line ") {
		t.Errorf("not the last whole lines printed; starts %q", got[:min(len(got), 40)])
	}
}

// TestLogsSinceAndJSON: --since by the time a batch was written, and JSON
// made from text lines, as --log-format json would have printed them.
func TestLogsSinceAndJSON(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 9, 40, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var printed testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, Color: true, Timestamps: true, Now: clock, LogBuffer: 1 << 20})
	copyString(t, m, "web.1", Stdout, "old\n")
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	copyString(t, m, "web.1", Stderr, "new \"quoted\"\n")
	got, _ := logsOf(t, m, LogQuery{Lines: -1, Since: now.Add(-time.Second), NoColor: true})
	if got != "09:41:00 web.1 | new \"quoted\"\n" {
		t.Errorf("since, no colour: %q", got)
	}
	got, _ = logsOf(t, m, LogQuery{Lines: -1, JSON: true})
	want := `{"time":"2026-11-24T09:40:00Z","process":"web.1","stream":"stdout","line":"old"}` + "\n" +
		`{"time":"2026-11-24T09:41:00Z","process":"web.1","stream":"stderr","line":"new \"quoted\""}` + "\n"
	if got != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
	if got, _ := logsOf(t, m, LogQuery{Lines: -1}); got != printed.String() || !strings.Contains(got, "\x1b[") {
		t.Errorf("as printed (coloured): %q", got)
	}
}

// TestLogsStalledFollowerNeverStallsTheOutput: a follower that stops
// taking lines holds up no writer; once it reads again it is told how
// many lines it missed, then gets the newest ones.
func TestLogsStalledFollowerNeverStallsTheOutput(t *testing.T) {
	var printed testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, LogBuffer: 64 << 10})
	copyString(t, m, "web.1", Stdout, "first\n")
	gotFirst, resume := make(chan struct{}), make(chan struct{})
	var stalled sync.Once
	var mu sync.Mutex
	var received strings.Builder
	var missed int64
	done := make(chan error, 1)
	go func() {
		done <- m.Logs(LogQuery{Lines: -1, Follow: true}, func(data []byte, n int64) error {
			mu.Lock()
			received.Write(data)
			missed += n
			first := strings.Contains(received.String(), "first")
			mu.Unlock()
			if first {
				stalled.Do(func() {
					close(gotFirst)
					<-resume // stalled: takes nothing for now
				})
			}
			return nil
		}, nil)
	}()
	<-gotFirst
	var text strings.Builder
	for i := 1; i <= 200000; i++ {
		fmt.Fprintf(&text, "line %d\n", i)
	}
	copied := make(chan error, 1)
	go func() { copied <- m.Copy("web.1", Stdout, strings.NewReader(text.String())) }()
	select { // nothing waits for the follower
	case err := <-copied:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the output waits for a stalled follower")
	}
	close(resume)
	testkit.WaitFor(t, "the last line at the follower", 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.HasSuffix(received.String(), "web.1 | line 200000\n")
	})
	mu.Lock()
	if missed == 0 || missed >= 200000 {
		t.Errorf("missed %d lines, want some", missed)
	}
	mu.Unlock()
	m.CloseLogs(10 * time.Second)
	if err := <-done; err != nil {
		t.Errorf("Logs: %v", err)
	}
}

// TestLogsOff: no buffer, no logs.
func TestLogsOff(t *testing.T) {
	m := NewMux(OutputOptions{Stdout: &testkit.Buffer{}, Stderr: &testkit.Buffer{}, Prefix: true})
	if err := m.Logs(LogQuery{}, func([]byte, int64) error { return nil }, nil); err != ErrNoLogs {
		t.Errorf("Logs without a buffer: %v", err)
	}
}

// TestLogsFollowNewNames: a follow selecting a type gets the lines of an
// instance that first prints after it began (a reload's web.2).
func TestLogsFollowNewNames(t *testing.T) {
	var printed testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, LogBuffer: 1 << 20})
	m.SetNames([]string{"web.1", "web.2", "worker.1"})
	copyString(t, m, "web.1", Stdout, "one\n")
	var mu sync.Mutex
	var received strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- m.Logs(LogQuery{Lines: -1, Follow: true, Match: func(n string) bool { return strings.HasPrefix(n, "web.") }},
			func(data []byte, _ int64) error {
				mu.Lock()
				defer mu.Unlock()
				received.Write(data)
				return nil
			}, nil)
	}()
	got := func() string { mu.Lock(); defer mu.Unlock(); return received.String() }
	testkit.WaitFor(t, "web.1's line", 10*time.Second, func() bool { return got() != "" })
	copyString(t, m, "worker.1", Stdout, "not this\n")
	copyString(t, m, "web.2", Stderr, "two\n")
	testkit.WaitFor(t, "web.2's line", 10*time.Second, func() bool { return strings.Contains(got(), "two") })
	m.CloseLogs(10 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got() != "web.1    | one\nweb.2    | two\n" {
		t.Errorf("followed: %q", got())
	}
}

// TestLogsJSONFromRawLines: under --no-prefix the lines are the text, and
// tend's own "tend: " marker is not part of its JSON line.
func TestLogsJSONFromRawLines(t *testing.T) {
	var printed testkit.Buffer
	now := time.Date(2026, 11, 24, 9, 40, 0, 0, time.UTC)
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Now: func() time.Time { return now }, LogBuffer: 1 << 20})
	copyString(t, m, "web.1", Stdout, "raw | line\n")
	m.Printf("hello")
	m.ownFlushed()
	if printed.String() != "raw | line\ntend: hello\n" {
		t.Fatalf("printed %q", printed.String())
	}
	got, _ := logsOf(t, m, LogQuery{Lines: -1, JSON: true})
	want := `{"time":"2026-11-24T09:40:00Z","process":"web.1","stream":"stdout","line":"raw | line"}` + "\n" +
		`{"time":"2026-11-24T09:40:00Z","process":"tend","stream":"stdout","line":"hello"}` + "\n"
	if got != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
}

// TestRecent: the status page's output of one name is its last lines from
// the log buffer, prefixed as printed and without colour, well beyond the
// few KiB of Tail; without a buffer it is Tail.
func TestRecent(t *testing.T) {
	var printed testkit.Buffer
	m := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, Color: true, LogBuffer: 1 << 20})
	m.SetNames([]string{"web.1", "worker.1"})
	var text strings.Builder
	for i := range 300 {
		fmt.Fprintf(&text, "line %03d %s\n", i, strings.Repeat("x", 40))
	}
	copyString(t, m, "web.1", Stdout, text.String())
	copyString(t, m, "worker.1", Stdout, "other\n")
	got := m.Recent("web.1", 200)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 200 || lines[0] != "web.1    | line 100 "+strings.Repeat("x", 40) || !strings.HasPrefix(lines[199], "web.1    | line 299 ") {
		t.Errorf("Recent: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if len(got) <= tailBytes || strings.Contains(got, "\x1b[") || strings.Contains(got, "other") {
		t.Errorf("Recent: %d bytes (Tail keeps %d), colour or another name's lines:\n%q", len(got), tailBytes, got[:200])
	}
	if got := m.Recent("nobody.1", 200); got != "" {
		t.Errorf("Recent of a name that printed nothing: %q", got)
	}
	off := NewMux(OutputOptions{Stdout: &printed, Stderr: &printed, Prefix: true, KeepTail: true})
	off.SetNames([]string{"web.1"})
	copyString(t, off, "web.1", Stdout, "one\ntwo\n")
	if got := off.Recent("web.1", 200); got != "one\ntwo\n" {
		t.Errorf("Recent without a log buffer: %q, want Tail's", got)
	}
}
