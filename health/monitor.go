package health

import (
	"context"
	"sync"
	"time"
)

// EventKind is what a Monitor saw.
type EventKind int

const (
	// Started: every startup check passed (at once when there are none).
	Started EventKind = iota
	// StartFailed: a startup check failed all its attempts; the Monitor
	// stops.
	StartFailed
	// Unhealthy: a liveness check failed Attempts times in a row.
	Unhealthy
	// Ready: every readiness check passed its last probe.
	Ready
	// NotReady: a readiness check failed Attempts times in a row.
	NotReady
	// Warning: a check marked warn failed (startup: all its attempts;
	// liveness and readiness: Attempts in a row); nothing else happens.
	Warning
)

func (k EventKind) String() string {
	return [...]string{"started", "start failed", "unhealthy", "ready", "not ready", "warning"}[k]
}

// Event is one thing a Monitor saw: its kind, the check and its last error.
type Event struct {
	Kind  EventKind
	Check Check
	Err   error
}

// Monitor follows one instance's checks for its life.
type Monitor struct {
	Checks []Check
	Target Target
	// Events receives what the Monitor sees; a send waits for the reader
	// or for the Monitor's context.
	Events chan<- Event
	// OnProbe, if set, is called after every probe with its result (for
	// metrics); it must not block.
	OnProbe func(Check, error)
	// SkipStartup goes straight to liveness and readiness (the instance
	// passed its startup checks before; its checks were changed).
	SkipStartup bool
}

// Run runs the startup checks in order, then the liveness and readiness
// checks side by side, each on its own schedule, until ctx is done. It
// returns after a StartFailed event, or when ctx is done.
func (m Monitor) Run(ctx context.Context) {
	for _, c := range m.Checks {
		if c.Type != Startup || m.SkipStartup {
			continue
		}
		err := m.attempt(ctx, c)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if c.Warn {
				m.send(ctx, Event{Kind: Warning, Check: c, Err: err})
				continue
			}
			m.send(ctx, Event{Kind: StartFailed, Check: c, Err: err})
			return
		}
	}
	if !m.send(ctx, Event{Kind: Started}) {
		return
	}
	var readiness []Check
	var wg sync.WaitGroup
	for _, c := range m.Checks {
		switch c.Type {
		case Liveness:
			wg.Add(1)
			go func() { defer wg.Done(); m.liveness(ctx, c) }()
		case Readiness:
			readiness = append(readiness, c)
		}
	}
	if len(readiness) > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); m.readiness(ctx, readiness) }()
	}
	wg.Wait()
}

func (m Monitor) send(ctx context.Context, e Event) bool {
	select {
	case m.Events <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

func (m Monitor) probe(ctx context.Context, c Check) error {
	err := Probe(ctx, c, m.Target)
	if m.OnProbe != nil && ctx.Err() == nil {
		m.OnProbe(c, err)
	}
	return err
}

// attempt runs a startup check: its initial delay, then up to Attempts
// probes, Wait apart, until one passes. An uptime check is one wait.
func (m Monitor) attempt(ctx context.Context, c Check) error {
	if !sleep(ctx, c.InitialDelay) {
		return ctx.Err()
	}
	if c.Kind == Uptime {
		return m.probe(ctx, c)
	}
	var err error
	for i := 0; i < max(c.Attempts, 1); i++ {
		if i > 0 && !sleep(ctx, c.Wait) {
			return ctx.Err()
		}
		if err = m.probe(ctx, c); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// liveness probes c every Wait after its initial delay; Attempts failures
// in a row are an Unhealthy event (then the count starts again).
func (m Monitor) liveness(ctx context.Context, c Check) {
	if !sleep(ctx, c.InitialDelay) {
		return
	}
	failures := 0
	for {
		if err := m.probe(ctx, c); err != nil {
			if ctx.Err() != nil {
				return
			}
			if failures++; failures >= max(c.Attempts, 1) {
				failures = 0
				kind := Unhealthy
				if c.Warn {
					kind = Warning
				}
				if !m.send(ctx, Event{Kind: kind, Check: c, Err: err}) {
					return
				}
			}
		} else {
			failures = 0
		}
		if c.Kind == Uptime || !sleep(ctx, c.Wait) {
			return // an uptime check has nothing more to say once passed
		}
	}
}

// readiness probes the checks, each every Wait after its initial delay:
// the instance is Ready once each has passed its last probe, and NotReady
// again when one fails Attempts times in a row (warn checks only warn).
func (m Monitor) readiness(ctx context.Context, checks []Check) {
	results := make(chan probeResult)
	for i, c := range checks {
		go m.probeEvery(ctx, i, c, results)
	}
	passing := make([]bool, len(checks))
	failures := make([]int, len(checks))
	ready := false
	for {
		var r probeResult
		select {
		case r = <-results:
		case <-ctx.Done():
			return
		}
		c := checks[r.index]
		if r.err == nil {
			failures[r.index], passing[r.index] = 0, true
		} else if failures[r.index]++; failures[r.index] >= max(c.Attempts, 1) {
			failures[r.index] = 0
			var e *Event
			switch {
			case c.Warn:
				e = &Event{Kind: Warning, Check: c, Err: r.err}
			case ready:
				ready = false
				e = &Event{Kind: NotReady, Check: c, Err: r.err}
			}
			passing[r.index] = c.Warn
			if e != nil && !m.send(ctx, *e) {
				return
			}
		}
		if !ready && allPassing(checks, passing) {
			ready = true
			if !m.send(ctx, Event{Kind: Ready}) {
				return
			}
		}
	}
}

// probeResult is one probe of the check at index.
type probeResult struct {
	index int
	err   error
}

// probeEvery probes c every Wait after its initial delay and sends each
// result, until ctx is done (an uptime check stops once it has passed).
func (m Monitor) probeEvery(ctx context.Context, index int, c Check, results chan<- probeResult) {
	if !sleep(ctx, c.InitialDelay) {
		return
	}
	for {
		err := m.probe(ctx, c)
		select {
		case results <- probeResult{index, err}:
		case <-ctx.Done():
			return
		}
		if c.Kind == Uptime && err == nil || !sleep(ctx, c.Wait) {
			return
		}
	}
}

// allPassing: every check that is not warn-only has passed its last probe.
func allPassing(checks []Check, passing []bool) bool {
	for i, c := range checks {
		if !passing[i] && !c.Warn {
			return false
		}
	}
	return true
}

// sleep waits d, or until ctx is done (false).
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
