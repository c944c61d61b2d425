//go:build !linux

package proc

// becomeSubreaper does nothing where the kernel has no child subreapers:
// orphans go to PID 1 as usual.
func becomeSubreaper() {}
