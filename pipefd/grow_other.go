//go:build !linux

package pipefd

import "io"

// Grow does nothing where pipes cannot be resized.
func Grow(io.Reader, int) {}

// GrowFd does nothing where pipes cannot be resized.
func GrowFd(uintptr, int) {}
