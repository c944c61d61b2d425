package lifecycle

import (
	"time"

	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/status"
)

// Facts is what the supervisor knows of one instance at a status request:
// a read-only view, which Process turns into its line of the snapshot.
type Facts struct {
	Name, Type string
	// Running: its child runs; Retiring: it is being stopped, Replacing to
	// start again (a reload, a restart); Restarting: it waits out its
	// back-off.
	Running, Retiring, Replacing, Restarting bool
	// UserStopped: stopped through the control socket; Waiting: exited
	// under --watch; Held: --after keeps it from starting.
	UserStopped, Waiting, Held bool
	CanDie                     bool
	// Pid is the running child's (0: none).
	Pid             int
	Restarts, Exits int
	Since           time.Time
	LastExit        int
	MaxMemory       int64
	Health          *Health
	Life            *State
	Usage           procfs.Usage
	Measured        bool // Usage is the running group's
}

// Process is the instance's status; draining says tend is stopping.
func (f Facts) Process(draining bool) status.Process {
	p := status.Process{Name: f.Name, Type: f.Type, Restarts: f.Restarts, Exits: f.Exits, Since: f.Since, Pid: f.Pid, State: f.state()}
	if f.Running {
		f.Health.Status(&p)
	}
	f.Life.Status(&p, !f.Running && !f.Retiring)
	if f.Measured {
		p.Memory, p.CPU = f.Usage.RSS, f.Usage.CPU.Seconds()
	}
	p.MaxMemory = f.MaxMemory
	if f.Exits > 0 {
		code := f.LastExit
		p.LastExit = &code
	}
	// A deliberate restart (a recycle, a reload) is no outage: the
	// instance is on its way back, as one in its back-off is.
	restarting := f.Retiring && f.Replacing
	p.Expected = !draining && !f.UserStopped && !f.Waiting && !(f.CanDie && !f.Running && !f.Life.Failed) && !f.Restarting && !restarting
	return p
}

func (f Facts) state() string {
	switch {
	case f.Retiring:
		return status.Stopping
	case f.Running:
		return status.Running
	case f.Restarting:
		return status.Restarting
	case f.UserStopped:
		return status.Stopped
	case f.Waiting:
		return status.Waiting
	case f.Held:
		return status.Held
	}
	return status.Exited
}
