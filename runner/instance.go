package runner

import (
	"syscall"
	"time"

	"github.com/tend-run/tend/health"
)

// InstanceSpec is one process to run, fully resolved.
type InstanceSpec struct {
	// Name is the instance name, e.g. "web.1" (also PS and DYNO).
	Name string
	// Type is the process type, e.g. "web".
	Type string
	// Command runs under /bin/sh -c.
	Command string
	// Port is the instance's PORT.
	Port int
	// Env is the instance's complete environment.
	Env []string
	// StopSignal is sent to stop it (default SIGTERM).
	StopSignal syscall.Signal
	// LeaderOnly sends signals to the group leader only, for prefork
	// masters that pass them on to their workers themselves.
	LeaderOnly bool
	// CanDie lets it exit without stopping the others.
	CanDie bool
	// Checks are its type's health checks (app.json's healthchecks).
	Checks []health.Check
	// Restart starts it again when it exits (--restart): at once after an
	// exit 0 (a recycle), after a back-off after a crash.
	Restart bool
	// MaxMemory recycles it when its process group's resident memory is
	// above this many bytes for two samples in a row (0: no limit).
	MaxMemory int64
	// MaxAge recycles it after it has run this long, less a jitter of up
	// to 10 % (0: never).
	MaxAge time.Duration
	// Terminal runs it on a pseudo-terminal held by tend (--tty), which
	// `tend attach` connects to.
	Terminal bool
}
