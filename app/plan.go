package app

import (
	"fmt"
	"strconv"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/runner"
)

// Planner turns a loaded app into instances and cron jobs, the same way at
// start and at every reload; port blocks stay with their types.
type Planner struct {
	Settings Settings
	// Only are the types named on the command line (tend start web).
	Only  []string
	Ports *Ports
}

// NewPlanner plans with settings, for the types in only (all when empty).
func NewPlanner(settings Settings, only []string) *Planner {
	return &Planner{Settings: settings, Only: only, Ports: NewPorts()}
}

// Plan returns the instances and the cron jobs to run, and how many cron
// jobs it leaves to the platform (DYNO set without --cron).
func (p *Planner) Plan(a *App) (specs []runner.InstanceSpec, jobs []cron.Job, withheld int, err error) {
	specs, err = p.Settings.Instances(a, p.Only, p.Ports)
	if err != nil {
		return nil, nil, 0, err
	}
	jobs, withheld, err = p.Settings.ScheduledJobs(a)
	return specs, jobs, withheld, err
}

// Instances resolves the formation, ports and per-type settings; only
// limits the run to the types named (each at least once).
func (s Settings) Instances(a *App, only []string, ports *Ports) ([]runner.InstanceSpec, error) {
	formation, err := s.ResolveFormation(a)
	if err != nil {
		return nil, err
	}
	types := make([]ProcessType, 0, len(a.Processes))
	for _, p := range a.Processes {
		types = append(types, ProcessType{Name: p.Name, Command: p.Command})
	}
	for _, name := range only {
		if _, ok := a.Process(name); !ok {
			return nil, fmt.Errorf("no process type %q in %s", name, a.ProcfilePath)
		}
	}
	if len(only) > 0 {
		limited := Formation{Counts: map[string]int{}}
		for _, name := range only {
			limited.Counts[name] = max(formation.Count(name), 1)
		}
		formation = limited
	}
	for name := range TypeSet(s.TTY) {
		if _, ok := a.Process(name); !ok {
			return nil, usageErrorf("--tty: no process type %q in %s", name, a.ProcfilePath)
		}
	}
	for name := range TypeSet(s.Exclude) {
		if _, ok := a.Process(name); !ok {
			return nil, usageErrorf("--exclude: no process type %q in %s", name, a.ProcfilePath)
		}
		if formation.Counts == nil {
			formation.Counts = map[string]int{}
		}
		formation.Counts[name] = 0
	}
	base, err := s.BasePort(a)
	if err != nil {
		return nil, err
	}
	stopSignals, err := s.StopSignals()
	if err != nil {
		return nil, err
	}
	if _, err := s.AfterOrder(a); err != nil {
		return nil, err
	}
	lifecycles, err := s.Lifecycles(a)
	if err != nil {
		return nil, err
	}
	checks := map[string][]health.Check{}
	for _, t := range types {
		checks[t.Name] = a.Healthchecks(t.Name)
	}
	return Plan(types, PlanOptions{
		Formation: formation, BasePort: base, Env: a.Env.Environ(),
		StopSignals: stopSignals, LeaderOnly: TypeSet(s.SignalLeader),
		CanDie: TypeSet(s.CanDie), Ports: ports, Checks: checks, Lifecycles: lifecycles,
		Terminal: TypeSet(s.TTY),
	})
}

// ResolveFormation: -m wins; else app.json's formation outside a platform
// container (DYNO unset); else every type once.
func (s Settings) ResolveFormation(a *App) (Formation, error) {
	if s.Formation != "" {
		f, err := ParseFormation(s.Formation)
		if err != nil {
			return f, &UsageError{Err: err}
		}
		return f, nil
	}
	if _, inContainer := a.Env.Get("DYNO"); !inContainer && a.Formation() != nil {
		return Formation{Counts: a.Formation()}, nil
	}
	return Formation{All: 1}, nil
}

// BasePort is -p, else the app's PORT, else 5000.
func (s Settings) BasePort(a *App) (int, error) {
	if s.PortSet {
		return s.Port, nil
	}
	if p, ok := a.Env.Get("PORT"); ok && p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			// Name the variable, never its value (a misplaced secret).
			return 0, usageErrorf("PORT is not a port number from 1 to 65535")
		}
		return n, nil
	}
	return 5000, nil
}
