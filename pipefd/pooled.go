package pipefd

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// Pooled reads of a pipe: the reader waits for the pipe to be readable
// holding no buffer, takes a pooled one for the read and gives it back
// once the read is passed on, so a thousand quiet children hold no read
// buffer between their lines.
const (
	// BufSize is the size of a pooled read buffer: one read's most.
	BufSize = 256 << 10
	// A read that returns fullPipe bytes (the kernel's default pipe size)
	// found the pipe full: its writer is a heavy one, whose pipe grows to
	// bigPipe, so writer, reader and the reader's reader hand over in
	// fewer, larger steps. Quiet children keep the default, so a thousand
	// of them cost no more kernel memory or pipe quota.
	fullPipe = 64 << 10
	bigPipe  = 1 << 20
)

var pool = sync.Pool{New: func() any { b := make([]byte, BufSize); return &b }}

// PutBuf gives b's array to the pool if it is a read buffer's size.
func PutBuf(b []byte) {
	if cap(b) == BufSize {
		b = b[:BufSize]
		pool.Put(&b)
	}
}

// ReadPooled reads f until EOF (nil) or an error. For each read, carry
// copies what must precede the new bytes into the buffer and returns its
// length (off); use is handed the buffer's filled part, carried bytes
// first, and returns a buffer for the pool (its own, or another; nil:
// none). A file without a RawConn is read with one buffer of its own.
func ReadPooled(f *os.File, carry func([]byte) int, use func(data []byte, off int) []byte) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return readOwn(f, use)
	}
	grown := false
	for {
		var buf *[]byte
		var off, n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			buf = pool.Get().(*[]byte)
			off = carry(*buf)
			for n, rerr = syscall.Read(int(fd), (*buf)[off:]); rerr == syscall.EINTR; {
				n, rerr = syscall.Read(int(fd), (*buf)[off:])
			}
			if rerr == syscall.EAGAIN {
				// Back to the pool: waiting for the pipe holds no buffer.
				pool.Put(buf)
				buf = nil
				return false
			}
			return true
		})
		if err == nil && rerr != nil {
			err = &os.PathError{Op: "read", Path: f.Name(), Err: rerr}
		}
		if err != nil || n <= 0 {
			if buf != nil {
				pool.Put(buf)
			}
			return err
		}
		if n >= fullPipe && !grown {
			grown = true
			_ = rc.Control(func(fd uintptr) { GrowFd(fd, bigPipe) })
		}
		PutBuf(use((*buf)[:off+n], off))
	}
}

func readOwn(r io.Reader, use func([]byte, int) []byte) error {
	buf := make([]byte, BufSize)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if b := use(buf[:n], 0); cap(b) == 0 || &b[:1][0] != &buf[0] {
				buf = make([]byte, BufSize) // use kept buf
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
