package lifecycle

import (
	"time"

	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// Member is what the supervisor knows of one instance of the formation,
// apart from its child, timers, pipes and terminal: its spec, where it is
// in its lifecycle, its counters, its health and its policy state. Its
// methods are the transitions and decisions about it; the Supervisor's
// goroutine owns it.
type Member struct {
	Spec spec.Instance
	// Running: its child runs.
	Running bool
	// Retiring: it is being stopped (a reload, a restart, tend stop); Next
	// is what starts after it exits (nil: it is removed).
	Retiring bool
	Next     *spec.Instance
	// Removed: it has left the formation.
	Removed bool
	// Restarting: it waits out its back-off (its restart timer runs).
	Restarting bool
	// UserStopped: stopped through the control socket; it stays listed
	// and can be started again.
	UserStopped bool
	// Waiting: exited under --watch; it starts again at the next change.
	Waiting bool
	// Held: --after keeps it from starting until its types are up.
	Held bool
	// Restarts and Exits count since tend started; Since is when the
	// current state began; LastStatus is how its last run ended.
	Restarts, Exits int
	Since           time.Time
	LastStatus      proc.ExitStatus
	// Health follows its health checks while it runs (nil: none).
	Health *Health
	Life   State
	// ran: it has had a child (a start that failed is not one).
	ran bool
}

// NewMember is an instance of the formation that has not run yet.
func NewMember(s spec.Instance, b Backoff) Member { return Member{Spec: s, Life: NewState(b)} }

// Starting is a start being made: whatever it waited for (its back-off,
// the next change, its --after types, a failed type's restart) is over.
func (m *Member) Starting() {
	m.Restarting, m.Waiting, m.Held, m.Life.Failed = false, false, false, false
}

// Started records that its child started at now; a start after a run
// counts as a restart.
func (m *Member) Started(now time.Time) {
	if m.ran {
		m.Restarts++
	}
	m.ran = true
	m.Running, m.Since = true, now
}

// Exited records that its child exited with st at now.
func (m *Member) Exited(st proc.ExitStatus, now time.Time) {
	m.Running, m.LastStatus = false, st
	m.Exits++
	m.Since = now
}

// Live says its child runs and is not being stopped.
func (m *Member) Live() bool { return m.Running && !m.Retiring }

// Up says it counts as up for --after and the roll: running, past its
// startup checks, and ready if it has readiness checks.
func (m *Member) Up() bool { return m.Live() && m.Health.Up() }

// KeepsTendUp says tend must not stop on its account yet: it runs, waits
// to restart, or (unless tend is draining) is stopped by the user, waits
// for the next change or for its --after types.
func (m *Member) KeepsTendUp(draining bool) bool {
	return m.Running || m.Restarting || (m.UserStopped || m.Waiting || m.Held) && !draining
}

// WaitsForChange says it exited under --watch and waits for the next
// change to start again.
func (m *Member) WaitsForChange() bool {
	return m.Waiting && !m.Running && !m.Retiring && !m.Removed
}

// Recycle asks for a graceful restart for reason, which waits its turn in
// the type's roll (Roll); a recycle that waits already stays.
func (m *Member) Recycle(reason string) {
	if m.Live() && m.Life.Pending == "" {
		m.Life.Pending = reason
	}
}

// Retired records that a retiring member has exited: again says it starts
// again now (as Next), else remove says it leaves the formation (one
// stopped by the user, or of a type given up on, stays listed unless tend
// is draining).
func (m *Member) Retired(draining bool) (again, remove bool) {
	m.Retiring = false
	if m.Next != nil {
		m.Spec, m.Next = *m.Next, nil
		m.Life.QuickCrashes = 0
		return true, false
	}
	if (m.UserStopped || m.Life.Failed) && !draining {
		return false, false
	}
	m.Removed = true
	return false, true
}

// Act is what a control operation does to one member.
type Act int

const (
	// Leave it as it is.
	Leave Act = iota
	// Replace it: stop it gracefully and start it again (or start it).
	Replace
	// Queued: its restart waits its turn in the type's roll.
	Queued
	// Retire it: stop it, and keep it listed as stopped.
	Retire
	// Start it.
	Start
)

// Control records what the control operation op (status.OpRestart,
// OpRestartAllAtOnce, OpStop or OpStart) does to m, and says what is to be
// done; rolls says other running instances of its type are named too, so
// a restart takes one at a time.
func (m *Member) Control(op string, b Backoff, rolls bool) Act {
	switch op {
	case status.OpRestart, status.OpRestartAllAtOnce:
		m.UserStopped = false
		m.Life.Reset(b)
		if op == status.OpRestart && rolls && m.Live() {
			m.Life.Pending = ReasonManual // one of the type at a time (Roll)
			return Queued
		}
		if m.Running {
			m.Life.Count(ReasonManual)
		}
		return Replace
	case status.OpStop:
		if !m.UserStopped {
			m.UserStopped = true
			return Retire
		}
	case status.OpStart:
		if m.UserStopped || !m.Running && !m.Restarting && !m.Retiring {
			m.UserStopped = false
			return Start
		}
	}
	return Leave
}

// Judged reads the exit of a run that lasted ran (after Exited): the
// status it counts as (an exit 0 after a failed startup check is a crash),
// and whether it is a recycle (State.Recycled: an exit 0 of a restarted
// type, while tend is not draining, unless it is a hot loop, which hotLoop
// says the first time). The exit of a retiring member is no recycle.
func (m *Member) Judged(st proc.ExitStatus, ran time.Duration, b Backoff, restarted, draining bool) (judged proc.ExitStatus, recycle, hotLoop bool) {
	if m.Health.StartFailed() && st.Success() {
		st = proc.ExitStatus{Code: 1} // stopped for a failed startup check: a crash
	}
	if m.Retiring {
		return st, false, false
	}
	recycle, hotLoop = m.Life.Recycled(b, !draining && restarted && st.Success(), ran)
	return st, recycle, hotLoop
}

// Outcome is what an exit on its own (not a retirement, not a recycle)
// leads to.
type Outcome int

const (
	// StaysDown: tend is draining, or it may die (--can-die).
	StaysDown Outcome = iota
	// RestartsLater: after its back-off.
	RestartsLater
	// WaitsForNextChange: --watch starts it again at the next change.
	WaitsForNextChange
	// StopsTend: tend drains, with FailureCode of its status.
	StopsTend
)

// Outcome says what its exit on its own leads to: restarted is its
// restart policy (--restart or its type's), watching is --watch.
func (m *Member) Outcome(draining, restarted, watching bool) Outcome {
	switch {
	case draining:
		return StaysDown
	case restarted:
		return RestartsLater
	case m.Spec.CanDie:
		return StaysDown
	case watching:
		return WaitsForNextChange
	}
	return StopsTend
}

// Reloaded brings it to want, the spec a reload keeps it at: restart is
// why it must be replaced as want (its command or environment changed;
// its Spec is left as is), else want applies in place (stop signal,
// can-die, health checks) and recheck says new health checks take over
// while it runs.
func (m *Member) Reloaded(want spec.Instance) (restart string, recheck bool) {
	restart, checksChanged := spec.Change(m.Spec, want)
	if restart != "" {
		return restart, false
	}
	m.Spec = want
	return "", checksChanged && m.Live()
}
