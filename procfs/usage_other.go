//go:build !linux

package procfs

const canMeasure = false

// GroupUsage needs /proc: without it nothing is measured, and limits on
// memory are not enforced (tend says so at start).
func GroupUsage(pgids []int) map[int]Usage { return map[int]Usage{} }
