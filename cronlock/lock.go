package cronlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tend-run/tend/regfile"

	"golang.org/x/sys/unix"
)

// LockDir holds the cron jobs' lock files. Each forbid or replace run
// holds an exclusive flock(2) on DIR/<job id>.lock for its whole duration,
// so tend instances sharing the directory (containers mounting one volume)
// never run the same job at once. The kernel drops a flock when its holder
// dies, so a crash leaves no stale lock.
//
// A shared lock dir is writable by others (other containers, other users),
// so nothing in it is trusted: the directory is opened once, without
// following a symlink, and lock files are looked up relative to it; a lock
// file is only ever a regular file, opened without following a symlink and
// without blocking (a FIFO planted there must not hang the scheduler).
type LockDir struct {
	Dir string
	fd  int // the directory, opened O_DIRECTORY|O_NOFOLLOW
}

// OpenLockDir opens dir (creating it 0755 if missing) and checks that lock
// files can be created in it. dir must be a real directory, not a symlink.
func OpenLockDir(dir string) (*LockDir, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create lock dir: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("create lock dir: %w", err)
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, lockDirError(dir, err)
	}
	d := &LockDir{Dir: dir, fd: fd}
	probe := ".tend-probe-" + strconv.Itoa(os.Getpid())
	pfd, err := unix.Openat(fd, probe, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("lock dir %s: cannot create lock files in it (%s): %w", dir, describe(dir), err)
	}
	unix.Close(pfd)
	_ = unix.Unlinkat(fd, probe, 0)
	return d, nil
}

// lockDirError explains why dir could not be opened as a directory.
func lockDirError(dir string, err error) error {
	fi, lerr := os.Lstat(dir)
	switch {
	case lerr == nil && fi.Mode()&os.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		return fmt.Errorf("lock dir %s is a symlink (to %s): tend does not follow one there; give the real directory", dir, target)
	case lerr == nil && !fi.IsDir():
		return fmt.Errorf("lock dir %s is %s, not a directory", dir, regfile.Kind(fi.Mode()))
	default:
		return fmt.Errorf("open lock dir %s (%s): %w", dir, describe(dir), err)
	}
}

// describe names the owner and mode of path, for error messages.
func describe(path string) string {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("owner uid %d, mode %04o; tend runs as uid %d", st.Uid, st.Mode&0o7777, os.Getuid())
}

// Close releases the directory (locks already taken stay held).
func (d *LockDir) Close() {
	if d != nil && d.fd >= 0 {
		unix.Close(d.fd)
		d.fd = -1
	}
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

// lockFlags open a lock file: never through a symlink, never blocking
// (a FIFO), never as a controlling terminal.
const lockFlags = unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOCTTY

// TryLock takes the lock of job id without waiting; ErrLocked if another
// holder (in this tend or another) has it. Anything at the lock path but a
// regular file is an error naming it.
func (d *LockDir) TryLock(id string) (*Lock, error) {
	name := id + ".lock"
	path := filepath.Join(d.Dir, name)
	// Look before opening: opening a device or a FIFO can have effects.
	var st unix.Stat_t
	err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	fd := -1
	switch {
	case errors.Is(err, unix.ENOENT):
		// O_EXCL: create it, never open what another put there meanwhile.
		fd, err = unix.Openat(d.fd, name, unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY|lockFlags, 0o644)
		if err == nil {
			// Readable by all (whatever the umask), so users sharing the
			// volume can lock a file another user created.
			_ = unix.Fchmod(fd, 0o644)
		} else if !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("create lock file %s: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return nil, notRegular(path, uint32(st.Mode))
	}
	if fd < 0 {
		// Read-only is all flock needs, so a file another user created
		// can be locked.
		fd, err = unix.Openat(d.fd, name, unix.O_RDONLY|lockFlags, 0)
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("lock file %s is a symlink: tend does not follow one there; remove it", path)
		}
		if err != nil {
			return nil, fmt.Errorf("open lock file %s: %w", path, err)
		}
	}
	// What was opened is what counts: the path may have changed since.
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		if err != nil {
			return nil, fmt.Errorf("stat lock file %s: %w", path, err)
		}
		return nil, notRegular(path, uint32(st.Mode))
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("flock %s: %w", path, err)
	}
	return &Lock{f: os.NewFile(uintptr(fd), path)}, nil
}

func notRegular(path string, mode uint32) error {
	m := os.FileMode(0)
	switch mode & unix.S_IFMT {
	case unix.S_IFLNK:
		m = os.ModeSymlink
	case unix.S_IFIFO:
		m = os.ModeNamedPipe
	case unix.S_IFSOCK:
		m = os.ModeSocket
	case unix.S_IFCHR, unix.S_IFBLK:
		m = os.ModeDevice
	case unix.S_IFDIR:
		m = os.ModeDir
	}
	return fmt.Errorf("lock file %s is %s, not a regular file: remove it", path, regfile.Kind(m))
}

// lockRetry is how often a replace run looks again for a lock held
// elsewhere.
const lockRetry = 100 * time.Millisecond

// Take takes the lock job id's policy needs, the one rule for `tend start`
// and `tend cron run`: allow needs none (nil); forbid tries once; replace
// waits up to wait for another instance's run, which cannot be stopped
// from here. ErrLocked if it is still held; stop, when closed, ends the
// wait early.
func (d *LockDir) Take(id string, policy Policy, wait time.Duration, clock Clock, stop <-chan struct{}) (*Lock, error) {
	if policy == PolicyAllow {
		return nil, nil
	}
	deadline := clock.Now().Add(wait)
	for {
		lock, err := d.TryLock(id)
		if !errors.Is(err, ErrLocked) || policy != PolicyReplace || !clock.Now().Before(deadline) {
			return lock, err
		}
		select {
		case <-stop:
			return nil, ErrLocked
		case <-clock.After(lockRetry):
		}
	}
}

// TakeRun is Take as a Locker.
func (d *LockDir) TakeRun(id string, policy Policy, wait time.Duration, clock Clock, stop <-chan struct{}) (Held, error) {
	lock, err := d.Take(id, policy, wait, clock, stop)
	if lock == nil {
		return nil, err
	}
	return lock, err
}

// Lost is never closed: the kernel keeps a flock while its holder lives.
func (l *Lock) Lost() <-chan struct{} { return nil }

// StopRequested is never closed: a flock cannot ask its holder anything.
func (l *Lock) StopRequested() <-chan struct{} { return nil }
