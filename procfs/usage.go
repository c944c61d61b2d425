package procfs

import "time"

// Usage is what a process group uses, summed over its members.
type Usage struct {
	// RSS is the resident memory in bytes.
	RSS int64
	// CPU is user plus system time of the living members, and of the
	// children the leader has waited for.
	CPU time.Duration
	// Processes counts the members.
	Processes int
}

// CanMeasure reports whether GroupUsage works here (it reads /proc).
const CanMeasure = canMeasure
