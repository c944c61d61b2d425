//go:build !linux

package pipefd

// GrowFd does nothing where pipes cannot be resized.
func GrowFd(uintptr, int) {}
