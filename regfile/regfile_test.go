package regfile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withDeadline runs f in a goroutine and fails the test if it has not
// returned within a generous deadline: on a FIFO the old code blocked in
// open(2) forever. unblock, if not nil, is called then to free f.
func withDeadline(t *testing.T, unblock func(), f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		if unblock != nil {
			unblock()
		}
		t.Fatal("blocked for 20 s")
	}
}

// mkfifo makes a named pipe and returns its path and a function that
// opens and closes its write end, which frees a reader blocked on it.
func mkfifo(t *testing.T, dir, name string) (string, func()) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}
}

func TestSpecialFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	fifo, unblock := mkfifo(t, dir, "fifo")
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "link-to-fifo")
	if err := os.Symlink("fifo", link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, fifo + " is a named pipe, not a regular file"},
		{link, link + " is a named pipe, not a regular file"},
		{dir, dir + " is a directory, not a regular file"},
		{sock, sock + " is a socket, not a regular file"},
		{"/dev/null", "/dev/null is a character device, not a regular file"},
		{"/dev/urandom", "/dev/urandom is a character device, not a regular file"},
	} {
		withDeadline(t, unblock, func() {
			_, err := ReadFile(tc.path, 1<<20)
			if !errors.Is(err, ErrNotRegular) || err.Error() != tc.want {
				t.Errorf("ReadFile(%s) = %v, want %s", tc.path, err, tc.want)
			}
			f, err := OpenFile(tc.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
			if err == nil {
				f.Close()
			}
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("OpenFile(%s, O_RDWR) = %v, want ErrNotRegular", tc.path, err)
			}
		})
	}
}

func TestRegularFilesAndLinks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Procfile")
	if err := os.WriteFile(path, []byte("web: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("Procfile", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, link} {
		data, err := ReadFile(p, 7)
		if err != nil || string(data) != "web: x\n" {
			t.Errorf("ReadFile(%s) = %q, %v", p, data, err)
		}
	}
	if _, err := ReadFile(path, 6); !errors.Is(err, ErrTooLarge) || err.Error() != path+": larger than 6 bytes" {
		t.Errorf("over the limit: %v", err)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := ReadFile(missing, 6); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	f, err := OpenFile(missing, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	f.Close()
}

// TestReadAllStopsAtLimit: a reader that never ends (a pipe, a device
// opened by someone else) is read only to the limit.
func TestReadAllStopsAtLimit(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		defer w.Close()
		chunk := []byte(strings.Repeat("x", 4096))
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}()
	withDeadline(t, nil, func() {
		if _, err := ReadAll(r, "pipe", 1<<20); !errors.Is(err, ErrTooLarge) {
			t.Errorf("ReadAll = %v, want ErrTooLarge", err)
		}
	})
}
