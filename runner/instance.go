package runner

import (
	"context"
	"syscall"
	"time"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
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

// instance is one process of the formation, owned by the Supervisor's
// goroutine: its child, timers and state.
type instance struct {
	spec         InstanceSpec
	child        *proc.Child
	running      bool
	lastStatus   proc.ExitStatus
	restartTimer *time.Timer
	// ageTimer ends the run at --max-age; recoverTimer tells the hook it
	// has run --on-failure-every after a hooked failure.
	ageTimer, recoverTimer *time.Timer
	// retiring: stopped by a reload; next is what starts after it exits
	// (nil: it is removed).
	retiring bool
	next     *InstanceSpec
	removed  bool
	// userStopped: stopped through the control socket; it stays listed
	// and can be started again.
	userStopped bool
	// waiting: exited under --watch; it starts again at the next change.
	waiting bool
	// restarts and exits count since tend started; since is when the
	// current state began.
	restarts, exits int
	since           time.Time
	// health follows its health checks while it runs (nil: none);
	// stopChecks ends their Monitor.
	health     *lifecycle.Health
	stopChecks context.CancelFunc
	// held: --after keeps it from starting until its types are up.
	held bool
	// console is the terminal of the running child (--tty; else nil).
	console *console.Console
	// pipes are the current run's (its own output tail for the hook).
	pipes *output.Pipes
	life  lifecycle.State
}
