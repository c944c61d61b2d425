package runner

import (
	"context"
	"time"

	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// instance is one process of the formation, owned by the Supervisor's
// goroutine: what lifecycle knows of it (its Member), and its child,
// timers, health Monitor, pipes and terminal.
type instance struct {
	lifecycle.Member
	child *proc.Child
	// restartTimer ends its back-off (Member.Restarting while it runs).
	restartTimer *time.Timer
	// ageTimer ends the run at --max-age; recoverTimer tells the hook it
	// has run --on-failure-every after a hooked failure.
	ageTimer, recoverTimer *time.Timer
	// stopChecks ends its health checks' Monitor.
	stopChecks context.CancelFunc
	// console is the terminal of the running child (--tty; else nil).
	console *console.Console
	// pipes are the current run's (its own output tail for the hook).
	pipes *output.Pipes
}

// cancelRestart stops the back-off of inst, if it waits one out.
func (inst *instance) cancelRestart() {
	if inst.restartTimer != nil {
		inst.restartTimer.Stop()
	}
	inst.restartTimer, inst.Restarting = nil, false
}

// members are the formation's Members, for lifecycle's decisions about
// all of them (in the same order as instances).
func members(instances []*instance) []*lifecycle.Member {
	ms := make([]*lifecycle.Member, len(instances))
	for i, inst := range instances {
		ms[i] = &inst.Member
	}
	return ms
}
