package cronlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// releaseFIFO lets an open(2) blocked on path's read end return (the old
// code's hang), so a failing test ends instead of hanging the suite.
func releaseFIFO(path string) {
	if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

// Anything at a lock path but a regular file is an error that names it,
// returned at once: a FIFO is never opened for a blocking read, a symlink
// (planted by another user of a shared lock dir) is never followed.
func TestLockFileMustBeARegularFile(t *testing.T) {
	elsewhere := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(elsewhere, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		make       func(path string) error
	}{
		{"fifo", "is a named pipe, not a regular file", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"symlink", "is a symbolic link", func(p string) error { return os.Symlink(elsewhere, p) }},
		{"dangling symlink", "is a symbolic link", func(p string) error { return os.Symlink(elsewhere+".new", p) }},
		{"directory", "is a directory, not a regular file", func(p string) error { return os.Mkdir(p, 0o755) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := OpenLockDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			path := filepath.Join(d.Dir, "j.lock")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				l, err := d.TryLock("j")
				l.Release()
				done <- err
			}()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				releaseFIFO(path)
				t.Fatal("TryLock hangs")
			}
			if err == nil || errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("TryLock = %v, want an error naming %s and saying %q", err, path, tc.want)
			}
			if b, _ := os.ReadFile(elsewhere); string(b) != "keep" {
				t.Errorf("the symlink's target changed: %q", b)
			}
			if _, err := os.Lstat(elsewhere + ".new"); err == nil {
				t.Errorf("a dangling symlink's target was created")
			}
		})
	}
}

// The lock dir itself must be a real directory: a symlink or a file where
// it should be is a clear error.
func TestLockDirMustBeADirectory(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		link: "lock dir " + link + " is a symlink (to " + real + ")",
		file: "lock dir " + file + " is a regular file, not a directory",
	} {
		d, err := OpenLockDir(path)
		if err == nil {
			d.Close()
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenLockDir(%s) = %v, want %q", path, err, want)
		}
	}
}

func TestLockDirExcludesOtherHolders(t *testing.T) {
	d, err := OpenLockDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l, err := d.TryLock("abc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.TryLock("abc"); err != ErrLocked {
		t.Errorf("second TryLock = %v, want ErrLocked", err)
	}
	l.Release()
	l2, err := d.TryLock("abc")
	if err != nil {
		t.Errorf("after Release: %v", err)
	}
	l2.Release()
}
