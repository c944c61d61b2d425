package logbuf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// keep keeps text, whole lines, as one batch of name on stream s.
func keep(st *Store, e *Entry, s int, text string) {
	e.Lines = int64(strings.Count(text, "\n"))
	st.Keep(s, []byte(text), e)
}

// read runs q without following and returns what it sent.
func read(t *testing.T, st *Store, q Query) (string, int64) {
	t.Helper()
	var out bytes.Buffer
	var missed int64
	err := st.Logs(q, func(data []byte, n int64) error {
		out.Write(data)
		missed += n
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), missed
}

// Batches of many names come back in the order they were kept; Lines
// counts back from the newest across names; Match selects names.
func TestStoreOrderLinesAndMatch(t *testing.T) {
	st := New(1<<20, time.Now, 1<<10)
	web, worker := &Entry{Name: "web"}, &Entry{Name: "worker"}
	keep(st, web, 0, "w1\nw2\n")
	keep(st, worker, 1, "k1\n")
	keep(st, web, 0, "w3\n")
	if got, _ := read(t, st, Query{Lines: -1}); got != "w1\nw2\nk1\nw3\n" {
		t.Errorf("all = %q", got)
	}
	if got, _ := read(t, st, Query{Lines: 2}); got != "k1\nw3\n" {
		t.Errorf("last 2 = %q", got)
	}
	if got, _ := read(t, st, Query{Lines: -1, Match: func(n string) bool { return n == "web" }}); got != "w1\nw2\nw3\n" {
		t.Errorf("web = %q", got)
	}
	if names := st.Names(); len(names) != 2 {
		t.Errorf("Names = %v", names)
	}
}

// Eviction drops whole lines from the front until a name fits the limit.
func TestStoreEvictsWholeLines(t *testing.T) {
	const limit = 4 << 10
	st := New(limit, time.Now, 1<<10)
	e := &Entry{Name: "web"}
	var all strings.Builder
	for i := range 2000 {
		line := fmt.Sprintf("line %d\n", i)
		all.WriteString(line)
		keep(st, e, 0, line)
	}
	got, _ := read(t, st, Query{Lines: -1})
	if !strings.HasSuffix(all.String(), got) || !strings.HasPrefix(got, "line ") {
		t.Errorf("not the last whole lines; starts %q", got[:min(len(got), 20)])
	}
	if kept := strings.Count(got, "\n") * ChunkOverhead; len(got)+kept > limit {
		t.Errorf("kept %d bytes in %d batches, over %d", len(got), strings.Count(got, "\n"), limit)
	}
}

// Since leaves out batches kept before it; Format sees each batch with its
// name, stream, time and prefix.
func TestStoreSinceAndFormat(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := New(1<<20, func() time.Time { return now }, 1<<10)
	e := &Entry{Name: "web", Prefix: 4}
	keep(st, e, 0, "web old\n")
	now = now.Add(time.Minute)
	keep(st, e, 1, "web new\n")
	format := func(dst []byte, b Batch) []byte {
		return fmt.Appendf(dst, "%s %d %s %d %q\n", b.Name, b.Stream, b.Time.UTC().Format(time.TimeOnly), b.Prefix, b.Data)
	}
	got, _ := read(t, st, Query{Lines: -1, Since: now, Format: format})
	if want := "web 1 03:05:05 4 \"web new\\n\"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A follower is told how many lines were evicted before it took them, and
// Close ends it once it has sent the last lines.
func TestStoreFollowMissedAndClose(t *testing.T) {
	st := New(256, time.Now, 1<<10)
	e := &Entry{Name: "web"}
	keep(st, e, 0, "first\n")
	sent := make(chan string, 100)
	var missed int64
	first := make(chan struct{})
	ended := make(chan error, 1)
	go func() {
		ended <- st.Logs(Query{Lines: -1, Follow: true}, func(data []byte, n int64) error {
			if missed += n; len(data) > 0 {
				sent <- string(data)
			}
			if string(data) == "first\n" {
				close(first)
			}
			return nil
		}, nil)
	}()
	<-first
	for i := range 50 {
		keep(st, e, 0, fmt.Sprintf("line %02d\n", i))
	}
	done, _ := st.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the follower")
	}
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	close(sent)
	var got strings.Builder
	for s := range sent {
		got.WriteString(s)
	}
	if !strings.HasSuffix(got.String(), "line 49\n") {
		t.Errorf("the follower's last lines: %q", got.String())
	}
	lines := int64(strings.Count(got.String(), "\n"))
	if lines+missed != 51 {
		t.Errorf("sent %d lines and missed %d, want 51 in all", lines, missed)
	}
}

// A follower's End runs before Close counts it finished: what a server
// writes there (the end frame of `tend logs --follow`) is out before the
// tend that waited for Close exits.
func TestStoreEndBeforeCloseIsDone(t *testing.T) {
	st := New(256, time.Now, 1<<10)
	keep(st, &Entry{Name: "web"}, 0, "first\n")
	first := make(chan struct{})
	inEnd, release := make(chan error, 1), make(chan struct{})
	go func() {
		_ = st.Logs(Query{Lines: -1, Follow: true, End: func(err error) { inEnd <- err; <-release }},
			func(data []byte, _ int64) error {
				if string(data) == "first\n" {
					close(first)
				}
				return nil
			}, nil)
	}()
	<-first
	done, _ := st.Close()
	select {
	case err := <-inEnd:
		if err != nil {
			t.Errorf("End got %v, want nil (Close ended the follow)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the follower")
	}
	select {
	case <-done:
		t.Fatal("Close was done while the follower was still in End")
	default:
	}
	close(release)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close was not done after End returned")
	}
}
