// Package pipefd is what the output Mux asks of file descriptors: a
// bigger buffer for a child's busy pipe, whether tend's stdout and stderr
// are different files (so each gets a write lock of its own), and the end
// of a pseudo-terminal's output (EIO read as EOF).
package pipefd
