package runner

import (
	"context"
	"time"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/status"
)

// watchHealth starts the Monitor of a started instance's checks (nothing
// when its type has none). skipStartup: it passed them before.
func (s *Supervisor) watchHealth(inst *instance, child *proc.Child, skipStartup bool) {
	inst.stopHealth()
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

// onHealth acts on what an instance's Monitor saw.
func (s *Supervisor) onHealth(ev event) {
	inst, e := ev.inst, ev.health
	h := inst.health
	if inst.child != ev.child || !inst.running || h == nil || s.draining {
		return // about a run that has ended
	}
	name := inst.spec.Name
	switch e.Kind {
	case health.Started:
		if h.Starting {
			h.Starting = false
			s.cfg.Output.Printf("%s passed its startup checks", name)
			s.startHeld()
		}
	case health.StartFailed:
		h.Failed = e.Check.Label()
		s.cfg.Output.Errorf("%s failed its startup check %q after %d attempts: %v: stopping it", name, e.Check.Label(), max(e.Check.Attempts, 1), e.Err)
		go proc.Stop(inst.child, inst.spec.StopSignal, !inst.spec.LeaderOnly, time.After(s.cfg.Timeout), nil)
	case health.Unhealthy:
		s.cfg.Output.Errorf("%s failed its liveness check %q %d times in a row: %v: restarting it", name, e.Check.Label(), max(e.Check.Attempts, 1), e.Err)
		inst.life.Count(lifecycle.ReasonLiveness)
		s.cfg.OnFailure.Fire(hook.Failure{Process: name, Type: inst.spec.Type, Reason: lifecycle.ReasonLiveness, Duration: time.Since(inst.child.Started), Tail: inst.runTail()})
		s.replace(inst, inst.spec)
	case health.Ready:
		h.Ready = true
		s.cfg.Output.Printf("%s is ready", name)
		s.startHeld()
	case health.NotReady:
		h.Ready = false
		s.cfg.Output.Errorf("%s is not ready: its readiness check %q failed %d times in a row: %v", name, e.Check.Label(), max(e.Check.Attempts, 1), e.Err)
	case health.Warning:
		s.cfg.Output.Errorf("warning: %s: health check %q failed: %v (warn only)", name, e.Check.Label(), e.Err)
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

// healthStatus fills in a process's health for the snapshot.
func (inst *instance) healthStatus(p *status.Process) {
	if inst.running {
		inst.health.Status(p)
	}
}
