package lifecycle

import (
	"fmt"
	"slices"
	"sync"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/status"
)

// Health is what the supervisor knows of one run's health checks: the
// verdicts it acts on, and the latest result of each check, recorded by
// the Monitor off the loop (Record).
type Health struct {
	// Starting: its startup checks have not passed yet.
	Starting bool
	// Ready: its readiness checks pass (only meaningful with some).
	Ready, HasReadiness bool
	// Failed is the startup check that failed: its exit is a crash.
	Failed string

	mu     sync.Mutex
	checks []health.Check
	states []status.CheckState
}

// NewHealth is the health of a run with checks (nil without any).
// skipStartup: it passed its startup checks before.
func NewHealth(checks []health.Check, skipStartup bool) *Health {
	if len(checks) == 0 {
		return nil
	}
	h := &Health{checks: checks}
	for _, c := range checks {
		h.states = append(h.states, status.CheckState{Type: string(c.Type), Name: c.Label()})
		h.Starting = h.Starting || c.Type == health.Startup && !skipStartup
		h.HasReadiness = h.HasReadiness || c.Type == health.Readiness
	}
	return h
}

// Record keeps a probe's result (the Monitor's OnProbe).
func (h *Health) Record(c health.Check, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.checks {
		if h.checks[i].Type == c.Type && h.checks[i].Label() == c.Label() {
			st := &h.states[i]
			st.Probed, st.Up = true, err == nil
			if err != nil {
				st.Failures++
				st.Error = err.Error()
			}
			return
		}
	}
}

// Up says the run counts as up: past its startup checks, and ready if it
// has readiness checks (a run without checks, nil, is).
func (h *Health) Up() bool {
	return h == nil || !h.Starting && (!h.HasReadiness || h.Ready)
}

// StartFailed says a startup check failed: the run's exit is a crash,
// whatever its status.
func (h *Health) StartFailed() bool { return h != nil && h.Failed != "" }

// Status fills in a running process's health for the snapshot.
func (h *Health) Status(p *status.Process) {
	if h == nil {
		return
	}
	if h.Starting && p.State == status.Running {
		p.State = status.Starting
	}
	if h.HasReadiness {
		ready := h.Ready
		p.Ready = &ready
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p.Checks = slices.Clone(h.states)
}

// Action is what the supervisor does about a health event.
type Action int

const (
	// Carry on: nothing beyond the verdict's line, if any.
	Carry Action = iota
	// StartHeld: the run may count as up now, so instances that --after
	// holds may start.
	StartHeld
	// Stop: a startup check failed; the run is stopped, and its exit is a
	// crash (StartFailed).
	Stop
	// Restart: a liveness check failed; the run is replaced, a failure.
	Restart
)

// Verdict is what to do about a health event, and the line that says so
// (Err: on stderr; empty: none).
type Verdict struct {
	Do   Action
	Line string
	Err  bool
}

// Saw records what the Monitor of name's run saw, and returns the verdict.
func (h *Health) Saw(name string, e health.Event) Verdict {
	label, n := e.Check.Label(), max(e.Check.Attempts, 1)
	switch e.Kind {
	case health.Started:
		if !h.Starting {
			return Verdict{}
		}
		h.Starting = false
		return Verdict{Do: StartHeld, Line: name + " passed its startup checks"}
	case health.StartFailed:
		h.Failed = label
		return Verdict{Stop, fmt.Sprintf("%s failed its startup check %q after %d attempts: %v: stopping it", name, label, n, e.Err), true}
	case health.Unhealthy:
		return Verdict{Restart, fmt.Sprintf("%s failed its liveness check %q %d times in a row: %v: restarting it", name, label, n, e.Err), true}
	case health.Ready:
		h.Ready = true
		return Verdict{Do: StartHeld, Line: name + " is ready"}
	case health.NotReady:
		h.Ready = false
		return Verdict{Carry, fmt.Sprintf("%s is not ready: its readiness check %q failed %d times in a row: %v", name, label, n, e.Err), true}
	case health.Warning:
		return Verdict{Carry, fmt.Sprintf("warning: %s: health check %q failed: %v (warn only)", name, label, e.Err), true}
	}
	return Verdict{}
}
