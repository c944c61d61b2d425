package status

import (
	"fmt"
	"time"

	"github.com/tend-run/tend/history"
)

// Check names what a health verdict covers.
type Check int

const (
	// Processes is liveness: every instance that should run runs
	// (/healthz, `tend status --check`).
	Processes Check = 1 << iota
	// Cron is the dead man's switch: every job has succeeded within twice
	// the gap between its last two scheduled times (/healthz/cron, and
	// `tend status --check --cron` with Processes).
	Cron
	// Ready is readiness: every instance that should run and has
	// readiness checks passes them (/healthz/ready).
	Ready
)

// Healthy is the health verdict on what c covers, at now, with the reason
// ("ok" when healthy).
func (s Snapshot) Healthy(c Check, now time.Time) (bool, string) {
	if c&Processes != 0 {
		if ok, why := s.processesHealthy(); !ok {
			return false, why
		}
	}
	if c&Ready != 0 {
		if ok, why := s.ready(); !ok {
			return false, why
		}
	}
	if c&Cron != 0 {
		return s.cronHealthy(now)
	}
	return true, "ok"
}

func (s Snapshot) ready() (bool, string) {
	if s.Draining {
		return false, "stopping"
	}
	for _, p := range s.Processes {
		if p.Ready == nil || !p.Expected {
			continue
		}
		if p.State != Running {
			return false, fmt.Sprintf("%s is %s", p.Name, p.State)
		}
		if !*p.Ready {
			return false, fmt.Sprintf("%s is not ready", p.Name)
		}
	}
	return true, "ok"
}

func (s Snapshot) processesHealthy() (bool, string) {
	if s.Draining {
		return false, "stopping"
	}
	for _, p := range s.Processes {
		if p.Expected && p.State != Running {
			return false, fmt.Sprintf("%s is %s", p.Name, p.State)
		}
	}
	return true, "ok"
}

// SkipDatabaseUnavailable is a run skipped because the --lock-url database
// could not be reached.
const SkipDatabaseUnavailable = history.SkipDatabaseUnavailable

// SkipReasons are every reason tend gives for a skip, each a series of
// tend_cron_skips_total even while it is 0.
var SkipReasons = history.SkipReasons

// cronHealthy: a job that has never succeeded is judged from tend's start
// (a weekday job tolerates the weekend). Jobs in maintenance or held back
// by the DYNO guard are not in the schedule, so they do not count; nor do
// suspended ones, which are not meant to run. A job
// whose latest due run was skipped because the lock database was
// unavailable is unhealthy at once, until a run gets past the database
// again (its lock taken, or found held by another tend).
func (s Snapshot) cronHealthy(now time.Time) (bool, string) {
	for _, j := range s.Cron {
		if k := j.Skipped; k != nil && k.Reason == SkipDatabaseUnavailable && !j.Suspended {
			why := fmt.Sprintf("cron %s (%s): lock database unavailable: the run due at %s was skipped", j.ID, j.Command, k.Scheduled.Format(time.RFC3339))
			if k.Detail != "" {
				why += " (" + k.Detail + ")"
			}
			return false, why
		}
	}
	for _, j := range s.Cron {
		if j.Gap <= 0 || j.Suspended {
			continue
		}
		since := s.Started
		if j.LastSuccess != nil {
			since = *j.LastSuccess
		}
		if late := now.Sub(since); late > 2*j.Gap {
			return false, fmt.Sprintf("cron %s (%s) has not succeeded for %v (allowed: %v)", j.ID, j.Command, late.Round(time.Second), 2*j.Gap)
		}
	}
	return true, "ok"
}
