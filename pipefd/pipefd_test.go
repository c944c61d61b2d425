package pipefd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
)

func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func TestDifferentFiles(t *testing.T) {
	_, w1 := pipe(t)
	_, w2 := pipe(t)
	dup, err := syscall.Dup(int(w1.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	same := os.NewFile(uintptr(dup), "dup")
	defer same.Close()
	var nilFile *os.File
	for _, c := range []struct {
		name string
		a, b io.Writer
		want bool
	}{
		{"two pipes", w1, w2, true},
		{"one pipe twice", w1, w1, false},
		{"one pipe through two descriptors (2>&1)", w1, same, false},
		{"not files", &bytes.Buffer{}, w2, false},
		{"a nil file", nilFile, w2, false},
	} {
		if got := DifferentFiles(c.a, c.b); got != c.want {
			t.Errorf("%s: DifferentFiles = %v, want %v", c.name, got, c.want)
		}
	}
}

// fakeMaster returns its chunks, then err.
type fakeMaster struct {
	chunks []string
	err    error
}

func (f *fakeMaster) Read(p []byte) (int, error) {
	if len(f.chunks) == 0 {
		return 0, f.err
	}
	n := copy(p, f.chunks[0])
	f.chunks = f.chunks[1:]
	return n, nil
}

func TestTerminal(t *testing.T) {
	var raw []string
	r := Terminal(&fakeMaster{chunks: []string{"(gdb) ", "run\r\n"}, err: syscall.EIO}, func(b []byte) { raw = append(raw, string(b)) })
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "(gdb) run\r\n" {
		t.Errorf("ReadAll = %q, %v; want the chunks as read and EIO as the end", got, err)
	}
	if len(raw) != 2 || raw[0] != "(gdb) " || raw[1] != "run\r\n" {
		t.Errorf("raw got %q", raw)
	}
	other := errors.New("other")
	if _, err := Terminal(&fakeMaster{err: other}, nil).Read(make([]byte, 8)); err != other {
		t.Errorf("another error: %v, want it passed on", err)
	}
}
