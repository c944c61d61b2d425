package runner

import (
	"context"
	"time"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/proc"
)

// watchHealth starts the Monitor of a started instance's checks (nothing
// when its type has none). skipStartup: it passed them before.
func (s *Supervisor) watchHealth(inst *instance, child *proc.Child, skipStartup bool) {
	inst.stopHealth()
	inst.Health, inst.stopChecks = nil, nil // the last run's, or the checks a reload removed
	checks := inst.Spec.Checks
	if len(checks) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := lifecycle.NewHealth(checks, skipStartup)
	inst.Health, inst.stopChecks = h, cancel
	events := make(chan health.Event)
	m := health.Monitor{Checks: checks, Events: events, OnProbe: h.Record, SkipStartup: skipStartup,
		Target: health.Target{Port: inst.Spec.Port, Env: inst.Spec.Env, Dir: s.cfg.Dir, Started: child.Started,
			Exited: child.Done(), Reaper: s.cfg.Reaper}}
	go m.Run(ctx)
	go func() {
		for {
			select {
			case e := <-events:
				select {
				case s.events <- event{inst: inst, child: child, health: &e}:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
}

// stopHealth ends the instance's Monitor, if it has one.
func (inst *instance) stopHealth() {
	if inst.stopChecks != nil {
		inst.stopChecks()
	}
}

// onHealth acts on what an instance's Monitor saw (its verdict).
func (s *Supervisor) onHealth(ev event) {
	inst := ev.inst
	if inst.child != ev.child || !inst.Running || inst.Health == nil || s.draining {
		return // about a run that has ended
	}
	v := inst.Health.Saw(inst.Spec.Name, *ev.health)
	switch {
	case v.Line == "":
	case v.Err:
		s.cfg.Output.Errorf("%s", v.Line)
	default:
		s.cfg.Output.Printf("%s", v.Line)
	}
	switch v.Do {
	case lifecycle.StartHeld:
		s.startHeld()
	case lifecycle.Stop:
		go proc.Stop(inst.child, inst.Spec.StopSignal, !inst.Spec.LeaderOnly, time.After(s.cfg.Timeout), nil)
	case lifecycle.Restart:
		inst.Life.Count(lifecycle.ReasonLiveness)
		s.cfg.OnFailure.Fire(hook.Failure{Process: inst.Spec.Name, Type: inst.Spec.Type, Reason: lifecycle.ReasonLiveness,
			Duration: time.Since(inst.child.Started), Tail: inst.runTail()})
		s.replace(inst, inst.Spec)
	}
}

// startHeld starts the instances --after held back whose types they wait
// for are up.
func (s *Supervisor) startHeld() {
	for _, inst := range s.instances {
		if inst.Held && !s.draining && s.depsUp(inst) {
			inst.Held = false
			s.start(inst)
		}
	}
}

// depsUp says the types inst waits for (--after) are up.
func (s *Supervisor) depsUp(inst *instance) bool {
	return lifecycle.DepsUp(members(s.instances), s.cfg.After[inst.Spec.Type])
}
