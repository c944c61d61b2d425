package cronlock

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// suspendSuffix names a job's suspend file in the lock dir.
const suspendSuffix = ".suspended"

// Suspended reports whether DIR/<id>.suspended exists. It is one
// fstatat(2) relative to the open directory, cheap enough for every due
// run (BenchmarkSuspendedCheck). Anything at that name counts, even what
// tend would not have created (a symlink, a directory): suspended is the
// safe side of a doubt.
func (d *LockDir) Suspended(id string) bool {
	var st unix.Stat_t
	err := unix.Fstatat(d.fd, id+suspendSuffix, &st, unix.AT_SYMLINK_NOFOLLOW)
	return err == nil || !errors.Is(err, unix.ENOENT)
}

// Suspend creates DIR/<id>.suspended (a small regular file saying who
// suspended the job and when), so every tend sharing the directory starts
// no new run of the job until Resume. Suspending a suspended job does
// nothing.
func (d *LockDir) Suspend(id string) error {
	name := id + suspendSuffix
	fd, err := unix.Openat(d.fd, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|lockFlags, 0o644)
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("suspend %s: create %s: %w", id, filepath.Join(d.Dir, name), err)
	}
	defer unix.Close(fd)
	_ = unix.Fchmod(fd, 0o644) // others sharing the volume may resume it
	note := "suspended at " + time.Now().UTC().Format(time.RFC3339) + " by tend pid " + strconv.Itoa(unix.Getpid()) + "\n"
	if _, err := unix.Write(fd, []byte(note)); err != nil {
		return fmt.Errorf("suspend %s: write %s: %w", id, filepath.Join(d.Dir, name), err)
	}
	return nil
}

// Resume removes DIR/<id>.suspended; resuming a job that is not suspended
// does nothing.
func (d *LockDir) Resume(id string) error {
	name := id + suspendSuffix
	err := unix.Unlinkat(d.fd, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EPERM) {
		return fmt.Errorf("resume %s: %s is a directory, not tend's: remove it", id, filepath.Join(d.Dir, name))
	}
	return fmt.Errorf("resume %s: remove %s: %w", id, filepath.Join(d.Dir, name), err)
}
