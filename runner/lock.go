package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// LockDir holds the cron jobs' lock files. Each forbid or replace run
// holds an exclusive flock(2) on DIR/<job id>.lock for its whole duration,
// so tend instances sharing the directory (containers mounting one volume)
// never run the same job at once. The kernel drops a flock when its holder
// dies, so a crash leaves no stale lock.
type LockDir struct {
	Dir string
}

// ErrLocked is returned when another holder has the lock.
var ErrLocked = errors.New("lock held by another run")

// OpenLockDir checks that dir exists (creating it 0755 if missing) and
// that lock files can be created in it.
func OpenLockDir(dir string) (*LockDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock dir: %w", err)
	}
	probe, err := os.CreateTemp(dir, ".tend-probe-*")
	if err != nil {
		return nil, fmt.Errorf("lock dir %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return &LockDir{Dir: dir}, nil
}

// Lock is a held lock; Release gives it back.
type Lock struct {
	f *os.File
}

// Release unlocks and closes the lock file.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		_ = unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
		l.f.Close()
		l.f = nil
	}
}

// TryLock takes the lock of job id without waiting; ErrLocked if another
// holder (in this tend or another) has it.
func (d *LockDir) TryLock(id string) (*Lock, error) {
	path := filepath.Join(d.Dir, id+".lock")
	// Create without following a symlink planted at the path; then open
	// read-only, which is all flock needs, so users sharing the volume can
	// lock a file another user created.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|syscall.O_NOFOLLOW, 0o644); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("flock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}
