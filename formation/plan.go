package formation

import (
	"fmt"
	"strconv"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/spec"
)

// Planner turns a loaded app into instances and cron jobs, the same way at
// start and at every reload; port blocks stay with their types.
type Planner struct {
	Settings app.Settings
	// Only are the types named on the command line (tend start web).
	Only  []string
	Ports *Ports
}

// NewPlanner plans with settings, for the types in only (all when empty).
func NewPlanner(settings app.Settings, only []string) *Planner {
	return &Planner{Settings: settings, Only: only, Ports: NewPorts()}
}

// Plan returns the instances and the cron jobs to run, and how many cron
// jobs it leaves to the platform (DYNO set without --cron).
func (p *Planner) Plan(a *app.App) (specs []spec.Instance, jobs []cron.Job, withheld int, err error) {
	specs, err = Instances(p.Settings, a, p.Only, p.Ports)
	if err != nil {
		return nil, nil, 0, err
	}
	jobs, withheld, err = p.Settings.ScheduledJobs(a)
	return specs, jobs, withheld, err
}

// Instances resolves the formation, ports and per-type settings; only
// limits the run to the types named (each at least once).
func Instances(s app.Settings, a *app.App, only []string, ports *Ports) ([]spec.Instance, error) {
	formation, err := runFormation(s, a, only)
	if err != nil {
		return nil, err
	}
	opts := PlanOptions{Formation: formation, Env: a.Env.Environ(), Ports: ports,
		LeaderOnly: app.TypeSet(s.SignalLeader), CanDie: app.TypeSet(s.CanDie), Terminal: app.TypeSet(s.TTY),
		Checks: map[string][]health.Check{}}
	if opts.BasePort, err = BasePort(s, a); err != nil {
		return nil, err
	}
	if opts.StopSignals, err = s.StopSignals(); err != nil {
		return nil, err
	}
	if _, err := AfterOrder(s, a); err != nil {
		return nil, err
	}
	if opts.Lifecycles, err = Lifecycles(s, a); err != nil {
		return nil, err
	}
	types := make([]ProcessType, 0, len(a.Processes))
	for _, p := range a.Processes {
		types = append(types, ProcessType{Name: p.Name, Command: p.Command})
		opts.Checks[p.Name] = a.Healthchecks(p.Name)
	}
	return Plan(types, opts)
}

// runFormation is the formation this run starts: ResolveFormation's,
// limited to the types named on the command line (each at least once),
// without the types --exclude names. Every type named, and every --tty
// type, must be in the Procfile.
func runFormation(s app.Settings, a *app.App, only []string) (Formation, error) {
	formation, err := ResolveFormation(s, a)
	if err != nil {
		return Formation{}, err
	}
	for _, name := range only {
		if _, ok := a.Process(name); !ok {
			return Formation{}, fmt.Errorf("no process type %q in %s", name, a.ProcfilePath)
		}
	}
	if len(only) > 0 {
		limited := Formation{Counts: map[string]int{}}
		for _, name := range only {
			limited.Counts[name] = max(formation.Count(name), 1)
		}
		formation = limited
	}
	for name := range app.TypeSet(s.TTY) {
		if _, ok := a.Process(name); !ok {
			return Formation{}, app.UsageErrorf("--tty: no process type %q in %s", name, a.ProcfilePath)
		}
	}
	for name := range app.TypeSet(s.Exclude) {
		if _, ok := a.Process(name); !ok {
			return Formation{}, app.UsageErrorf("--exclude: no process type %q in %s", name, a.ProcfilePath)
		}
		if formation.Counts == nil {
			formation.Counts = map[string]int{}
		}
		formation.Counts[name] = 0
	}
	return formation, nil
}

// ResolveFormation: -m wins; else app.json's formation outside a platform
// container (DYNO unset); else every type once.
func ResolveFormation(s app.Settings, a *app.App) (Formation, error) {
	if s.Formation != "" {
		f, err := ParseFormation(s.Formation)
		if err != nil {
			return f, &app.UsageError{Err: err}
		}
		return f, nil
	}
	if _, inContainer := a.Env.Get("DYNO"); !inContainer && a.Formation() != nil {
		return Formation{Counts: a.Formation()}, nil
	}
	return Formation{All: 1}, nil
}

// BasePort is -p, else the app's PORT, else 5000.
func BasePort(s app.Settings, a *app.App) (int, error) {
	if s.PortSet {
		return s.Port, nil
	}
	if p, ok := a.Env.Get("PORT"); ok && p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			// Name the variable, never its value (a misplaced secret).
			return 0, app.UsageErrorf("PORT is not a port number from 1 to 65535")
		}
		return n, nil
	}
	return 5000, nil
}
