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
	inst.health, inst.stopChecks = nil, nil // the last run's, or the checks a reload removed
	checks := inst.spec.Checks
	if len(checks) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := lifecycle.NewHealth(checks, skipStartup)
	inst.health, inst.stopChecks = h, cancel
	events := make(chan health.Event)
	m := health.Monitor{Checks: checks, Events: events, OnProbe: h.Record, SkipStartup: skipStartup,
		Target: health.Target{Port: inst.spec.Port, Env: inst.spec.Env, Dir: s.cfg.Dir, Started: child.Started,
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
	if inst.child != ev.child || !inst.running || inst.health == nil || s.draining {
		return // about a run that has ended
	}
	v := inst.health.Saw(inst.spec.Name, *ev.health)
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
		go proc.Stop(inst.child, inst.spec.StopSignal, !inst.spec.LeaderOnly, time.After(s.cfg.Timeout), nil)
	case lifecycle.Restart:
		inst.life.Count(lifecycle.ReasonLiveness)
		s.cfg.OnFailure.Fire(hook.Failure{Process: inst.spec.Name, Type: inst.spec.Type, Reason: lifecycle.ReasonLiveness,
			Duration: time.Since(inst.child.Started), Tail: inst.runTail()})
		s.replace(inst, inst.spec)
	}
}

// up says an instance counts as up for --after: running, past its startup
// checks, and ready if it has readiness checks.
func (inst *instance) up() bool {
	if !inst.running || inst.retiring {
		return false
	}
	return inst.health.Up()
}

// typeUp says every instance of typ is up.
func (s *Supervisor) typeUp(typ string) bool {
	for _, inst := range s.instances {
		if inst.spec.Type == typ && !inst.removed && !inst.up() {
			return false
		}
	}
	return true
}

// startHeld starts the instances --after held back whose types they wait
// for are up.
func (s *Supervisor) startHeld() {
	for _, inst := range s.instances {
		if inst.held && !s.draining && s.depsUp(inst.spec.Type) {
			inst.held = false
			s.start(inst)
		}
	}
}

func (s *Supervisor) depsUp(typ string) bool {
	for _, dep := range s.cfg.After[typ] {
		if !s.typeUp(dep) {
			return false
		}
	}
	return true
}
