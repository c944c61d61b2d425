// Package procfs reads the kernel's process table from /proc: a process's
// state, parent and group, the children of a process, which process groups
// still have a live member, and what each group uses (memory, CPU time).
// Where there is no /proc it answers what it can without it (kill(-pgid,
// 0)) and says so (CanFindChildren, CanMeasure).
package procfs
