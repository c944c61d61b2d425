package runner

import (
	"context"
	"time"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
)

// instance is one process of the formation, owned by the Supervisor's
// goroutine: its child, timers and state.
type instance struct {
	spec         spec.Instance
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
	next     *spec.Instance
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
