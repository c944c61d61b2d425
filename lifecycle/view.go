package lifecycle

import (
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/status"
)

// Process is the member's line of the snapshot: pid is its running
// child's (0: none), usage what the running groups use, draining says
// tend is stopping.
func (m *Member) Process(pid int, usage map[int]procfs.Usage, draining bool) status.Process {
	p := status.Process{Name: m.Spec.Name, Type: m.Spec.Type, Restarts: m.Restarts, Exits: m.Exits, Since: m.Since, Pid: pid, State: m.state()}
	if m.Running {
		m.Health.Status(&p)
	}
	m.Life.Status(&p, !m.Running && !m.Retiring)
	if u, measured := usage[pid]; measured && pid != 0 {
		p.Memory, p.CPU = u.RSS, u.CPU.Seconds()
	}
	p.MaxMemory = m.Spec.MaxMemory
	if m.Exits > 0 {
		code := m.LastStatus.ExitCode()
		p.LastExit = &code
	}
	// A deliberate restart (a recycle, a reload) is no outage: the
	// instance is on its way back, as one in its back-off is.
	restarting := m.Retiring && m.Next != nil
	p.Expected = !draining && !m.UserStopped && !m.Waiting && !(m.Spec.CanDie && !m.Running && !m.Life.Failed) && !m.Restarting && !restarting
	return p
}

func (m *Member) state() string {
	switch {
	case m.Retiring:
		return status.Stopping
	case m.Running:
		return status.Running
	case m.Restarting:
		return status.Restarting
	case m.UserStopped:
		return status.Stopped
	case m.Waiting:
		return status.Waiting
	case m.Held:
		return status.Held
	}
	return status.Exited
}
