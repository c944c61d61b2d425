package proc

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExitStatus is how a child ended.
type ExitStatus struct {
	// Code is the exit code when the child exited on its own.
	Code int
	// Signal is the signal that killed the child, or 0.
	Signal syscall.Signal
}

// ExitCode is the status as a shell reports it: Code, or 128+Signal.
func (s ExitStatus) ExitCode() int {
	if s.Signal != 0 {
		return 128 + int(s.Signal)
	}
	return s.Code
}

// Success reports whether the child exited with status 0.
func (s ExitStatus) Success() bool { return s.Signal == 0 && s.Code == 0 }

// String describes the status for tend's log lines.
func (s ExitStatus) String() string {
	if s.Signal != 0 {
		return fmt.Sprintf("killed by %s", SignalName(s.Signal))
	}
	return fmt.Sprintf("exited with status %d", s.Code)
}

func statusFromWait(ws syscall.WaitStatus) ExitStatus {
	switch {
	case ws.Exited():
		return ExitStatus{Code: ws.ExitStatus()}
	case ws.Signaled():
		return ExitStatus{Signal: ws.Signal()}
	default:
		return ExitStatus{Code: int(ws)}
	}
}

// SignalName is the conventional name of sig, e.g. "SIGTERM".
func SignalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ParseSignal reads a signal given as "TERM", "SIGTERM", "term" or "15".
func ParseSignal(s string) (syscall.Signal, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil && fmt.Sprint(n) == s {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal number %d", n)
		}
		return syscall.Signal(n), nil
	}
	name := upper(s)
	if len(name) < 3 || name[:3] != "SIG" {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
