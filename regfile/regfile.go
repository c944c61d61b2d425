// Package regfile opens the files an app declares (Procfile, app.json,
// .env, the cron history) the one safe way: only regular files are
// accepted (a symlink to one is fine), nothing ever blocks on opening or
// reading them, and reads stop at a size limit.
//
// A named pipe would block open(2) until a writer appears and read(2)
// until it writes, and a device such as /dev/urandom never ends: either
// hangs `tend check`, or the supervisor on a reload. So the path is
// stat'ed first (a device or FIFO is never opened at all), then opened
// with O_NONBLOCK (in case it was replaced in between), and the open file
// is checked again with fstat(2). O_NONBLOCK has no effect on regular
// files (open(2), "O_NONBLOCK"), so reads and writes behave as usual.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by every *NotRegularError, for errors.Is.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by every *TooLargeError, for errors.Is.
var ErrTooLarge = errors.New("file too large")

// NotRegularError is a path that names something other than a regular
// file: "Procfile is a named pipe, not a regular file".
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

// Error names the path and what it is.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, Kind(e.Mode))
}

// Unwrap returns ErrNotRegular.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// TooLargeError is a file over the limit its reader sets.
type TooLargeError struct {
	Path  string
	Limit int64
}

// Error reads "PATH: larger than LIMIT bytes".
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes", e.Path, e.Limit)
}

// Unwrap returns ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Kind describes a file type in words, with an article: "a named pipe".
func Kind(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// Open opens the regular file at path for reading, following symlinks.
// Anything else is a *NotRegularError; os errors (a missing file:
// fs.ErrNotExist) are returned as os.Open returns them.
func Open(path string) (*os.File, error) {
	return OpenFile(path, os.O_RDONLY, 0)
}

// OpenFile is os.OpenFile for regular files only, as Open describes. With
// O_CREATE a missing file is created; an existing one must be regular.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	f, err := os.OpenFile(path, flag|syscall.O_NONBLOCK|syscall.O_CLOEXEC, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return f, nil
}

// ReadFile reads the regular file at path, at most limit bytes: a larger
// file is a *TooLargeError, and nothing past limit+1 bytes is read even if
// the file grows meanwhile.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, limit)
}

// ReadAll reads r to its end, at most limit bytes; more is a
// *TooLargeError naming path. A regular *os.File already larger than limit
// is refused without reading it.
func ReadAll(r io.Reader, path string, limit int64) ([]byte, error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
			return nil, &TooLargeError{Path: path, Limit: limit}
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err // an *os.PathError names the file already
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}
