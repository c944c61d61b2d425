package lifecycle

import (
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
