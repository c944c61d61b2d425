// Package privdir makes tend's private per-user runtime directory, which
// holds the control socket and the cron lock files. On a shared host the
// usual places (/tmp above all) are writable by every user, who may have
// planted a symlink or a directory of their own at the name before us; so
// the directory is created with mkdir(0700), never through a path we did
// not create, and used only if it is a real directory that we own with
// mode 0700.
package privdir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrNoPlace is returned by Find when no candidate can be created (a
// read-only file system, a missing or unwritable parent, a path too long):
// the environment has no private directory to offer, nobody attacked it.
var ErrNoPlace = errors.New("no usable private directory")

// UnsafeError says that something is already at a candidate's path and it
// is not a directory that only we control.
type UnsafeError struct {
	Dir     string
	Problem string // "is a symlink to /", "belongs to another user", ...
	Owner   uint32
	Mode    fs.FileMode
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("refusing %s as a private directory: it %s (owner %s, mode %s), and only a real directory of ours with mode 0700 keeps other users out of it; remove it if it is yours, or set XDG_RUNTIME_DIR to a directory of your own",
		e.Dir, e.Problem, ownerName(e.Owner), modeString(e.Mode))
}

// Candidates lists the directories tend may use, best first:
// $XDG_RUNTIME_DIR/tend-UID when it is set, /run/tend for root (root-owned
// /run, where nobody else can plant anything), $TMPDIR/tend-UID, and
// /tmp/tend-UID when TMPDIR is elsewhere.
func Candidates() []string {
	uid := os.Geteuid()
	name := fmt.Sprintf("tend-%d", uid)
	var dirs []string
	if x := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(x) {
		dirs = append(dirs, filepath.Join(x, name))
	}
	if uid == 0 {
		dirs = append(dirs, "/run/tend")
	}
	dirs = append(dirs, filepath.Join(os.TempDir(), name))
	if tmp := filepath.Join("/tmp", name); tmp != dirs[len(dirs)-1] {
		dirs = append(dirs, tmp)
	}
	return dirs
}

// Find returns the first of dirs that fits (fits may be nil) and can be
// made or is already ours (see Make). A candidate that cannot be created
// is skipped; one that exists but is unsafe ends the search with its
// *UnsafeError rather than silently moving on, so that the user learns of
// it. Every caller in the same environment gets the same answer, which is
// how `tend status` finds the socket of `tend start`.
func Find(dirs []string, fits func(dir string) error) (string, error) {
	var reasons []string
	for _, dir := range dirs {
		if fits != nil {
			if err := fits(dir); err != nil {
				reasons = append(reasons, err.Error())
				continue
			}
		}
		err := Make(dir)
		if err == nil {
			return dir, nil
		}
		var unsafe *UnsafeError
		if errors.As(err, &unsafe) {
			return "", err
		}
		reasons = append(reasons, err.Error())
	}
	return "", fmt.Errorf("%w (%s)", ErrNoPlace, strings.Join(reasons, "; "))
}

// Make creates dir with mode 0700 unless it exists, then checks it (see
// Check). Its parent is not created: a missing parent is an error.
func Make(dir string) error {
	err := os.Mkdir(dir, 0o700)
	switch {
	case err == nil:
		// A umask with owner bits may have taken some of 0700. Fix the mode
		// through a descriptor of the directory we just made, which cannot
		// follow a symlink swapped in meanwhile.
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", dir, err)
		}
		err = unix.Fchmod(fd, 0o700)
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("chmod %s: %w", dir, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("mkdir %s: %w", dir, unwrapPath(err))
	}
	return Check(dir)
}

// Check returns nil if dir is a real directory (not a symlink), owned by
// us, with mode exactly 0700; an *UnsafeError if it is something else; and
// the Lstat error if there is nothing there.
func Check(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("stat %s: no owner", dir)
	}
	e := &UnsafeError{Dir: dir, Owner: st.Uid, Mode: fi.Mode()}
	me := uint32(os.Geteuid())
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		e.Problem = "is a symlink to " + target
	case !fi.IsDir():
		e.Problem = "is not a directory"
	case st.Uid != me:
		e.Problem = "belongs to another user"
	case fi.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0o700:
		e.Problem = "does not have mode 0700"
	default:
		return nil
	}
	return e
}

// unwrapPath drops the *PathError around err: the callers name the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func ownerName(uid uint32) string {
	if u, err := user.LookupId(fmt.Sprint(uid)); err == nil {
		return fmt.Sprintf("%s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

// modeString is the octal mode, with the file type for what is not a
// directory: "0777", "symlink 0777".
func modeString(m fs.FileMode) string {
	perm := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		perm |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		perm |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	s := fmt.Sprintf("%04o", perm)
	switch {
	case m&fs.ModeSymlink != 0:
		return "symlink " + s
	case m.IsRegular():
		return "file " + s
	case !m.IsDir():
		return m.Type().String() + " " + s
	}
	return s
}

// NoPlace says whether err means that this environment has nowhere to put
// a file of the private directory (a read-only file system, say), which is
// no reason to refuse to run when the place was not asked for.
func NoPlace(err error) bool {
	return errors.Is(err, ErrNoPlace) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES)
}

// AppKey names the app at root within the private directory: 16 hex
// digits of the SHA-256 of its absolute path, so the names stay short, a
// read-only app root is fine, and two apps (or two containers sharing the
// directory) do not collide. The control socket and the lock dir use it.
func AppKey(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("app root: %w", err)
	}
	sum := sha256.Sum256([]byte(abs))
	return hex.EncodeToString(sum[:8]), nil
}
