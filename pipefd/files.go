package pipefd

import (
	"io"
	"os"
	"syscall"
)

// DifferentFiles reports whether a and b are files known to be different
// (not one pipe, terminal or file reached through two descriptors).
func DifferentFiles(a, b io.Writer) bool {
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 || fa == nil || fb == nil {
		return false
	}
	var sa, sb syscall.Stat_t
	if syscall.Fstat(int(fa.Fd()), &sa) != nil || syscall.Fstat(int(fb.Fd()), &sb) != nil {
		return false
	}
	return sa.Dev != sb.Dev || sa.Ino != sb.Ino
}
