package runner

import (
	"slices"
	"strings"
	"time"

	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spec"
)

// reloadResult is what a parse started by reload found.
type reloadResult struct {
	plan   spec.ReloadPlan
	err    error
	reason string
}

// reload handles one request in the supervisor's goroutine. Parsing reads
// files, which can block (a FIFO put in the Procfile's place, a slow
// mount), so it runs off the loop and its result comes back as an event
// (reloaded): signals, the drain and the control socket are never kept
// waiting. Requests while a parse runs are coalesced into one more parse
// after it, since the files may have changed after they were read.
func (s *Supervisor) reload(req spec.ReloadRequest) {
	if s.draining {
		return
	}
	if len(req.RestartTypes) > 0 {
		var names []string
		for _, inst := range s.instances {
			if slices.Contains(req.RestartTypes, inst.spec.Type) && !inst.retiring {
				s.replace(inst, inst.spec)
				names = append(names, inst.spec.Name)
			}
		}
		if len(names) > 0 {
			s.cfg.Output.Printf("%s: restarting %s", req.Reason, strings.Join(names, ", "))
		}
		return
	}
	if s.cfg.Reload == nil {
		return
	}
	if s.parsing {
		s.parseAgain = &req
		return
	}
	s.parsing = true
	parse := s.cfg.Reload
	go func() {
		plan, err := parse()
		select {
		case s.reloaded <- reloadResult{plan: plan, err: err, reason: req.Reason}:
		case <-s.done: // tend has stopped: nobody applies it
		}
	}()
}

// reloadDone applies a parse's result, unless tend is stopping by now.
func (s *Supervisor) reloadDone(r reloadResult) {
	s.parsing = false
	if s.draining {
		return
	}
	if r.err != nil {
		s.cfg.Output.Errorf("reload (%s) failed: nothing changed", r.reason)
	} else {
		s.apply(r.plan, r.reason)
	}
	if next := s.parseAgain; next != nil {
		s.parseAgain = nil
		s.reload(*next)
	}
}

// apply reconciles the running formation with plan: changed instances are
// restarted (graceful stop, then start), removed ones stopped, new ones
// started; the others keep running untouched.
func (s *Supervisor) apply(plan spec.ReloadPlan, reason string) {
	changes := lifecycle.NewChanges()
	wanted, rechecked := map[string]bool{}, false
	for _, want := range plan.Instances {
		wanted[want.Name] = true
		inst := s.instance(want.Name)
		if inst == nil {
			inst = &instance{spec: want, life: lifecycle.NewState(s.cfg.Backoff)}
			s.instances = append(s.instances, inst)
			s.start(inst)
			changes.Add(want.Type, "started")
			continue
		}
		rechecked = s.update(inst, want, changes) || rechecked
	}
	if rechecked {
		s.startHeld() // without readiness checks now, a type may count as up
	}
	for _, inst := range slices.Clone(s.instances) { // retire removes one that is not running
		if !wanted[inst.spec.Name] && !inst.retiring {
			s.retire(inst, nil)
			changes.Add(inst.spec.Type, "stopped")
		}
	}
	for _, inst := range s.instances {
		if inst.waiting && !inst.running && !inst.retiring && !inst.removed {
			s.start(inst) // it exited under --watch: the change is its next chance
			changes.Add(inst.spec.Type, "started again")
		}
	}
	if s.cron != nil {
		if n := lifecycle.CronChanges(s.cronJobs, plan.Cron); n != "" {
			changes.Other = append(changes.Other, n)
		}
		s.cronJobs = plan.Cron
		s.cron.SetJobs(plan.Cron)
	}
	s.setNames()
	if plan.EnvChanged {
		changes.EnvChanged()
	}
	summary := changes.String()
	if summary == "" {
		summary = "nothing changed"
	}
	s.cfg.Output.Printf("reload (%s): %s", reason, summary)
}

// update brings an instance the plan keeps to want: a restart for a
// changed command or environment, else in place. It says whether new
// health checks took over.
func (s *Supervisor) update(inst *instance, want spec.Instance, changes *lifecycle.Changes) bool {
	restart, checksChanged := spec.Change(inst.spec, want)
	if restart != "" {
		s.replace(inst, want)
		changes.Add(want.Type, restart)
		return false
	}
	inst.spec = want // stop signal, can-die, health checks: no restart needed
	if !checksChanged || !inst.running || inst.retiring {
		return false
	}
	// Checks it has passed are not asked again: the new ones take over
	// from liveness and readiness on.
	s.watchHealth(inst, inst.child, inst.health == nil || !inst.health.Starting)
	changes.Add(want.Type, "health checks changed")
	return true
}

func (s *Supervisor) instance(name string) *instance {
	for _, inst := range s.instances {
		if inst.spec.Name == name && !inst.removed {
			return inst
		}
	}
	return nil
}

// replace stops inst gracefully and starts it again as next.
func (s *Supervisor) replace(inst *instance, next spec.Instance) {
	if !inst.running {
		inst.spec = next
		if inst.restartTimer != nil {
			inst.restartTimer.Stop()
		}
		s.start(inst)
		return
	}
	s.retire(inst, &next)
}

// retire sends inst its stop signal; after the grace it is killed. When it
// has exited it is started again as next, or removed when next is nil.
func (s *Supervisor) retire(inst *instance, next *spec.Instance) {
	inst.next = next
	if inst.retiring {
		return
	}
	if inst.restartTimer != nil {
		inst.restartTimer.Stop()
		inst.restartTimer = nil
	}
	if !inst.running {
		s.retired(inst)
		return
	}
	inst.retiring = true
	// Off the loop: it returns once the child has exited (or been killed),
	// which the loop learns from the child's exit event.
	go proc.Stop(inst.child, inst.spec.StopSignal, !inst.spec.LeaderOnly, time.After(s.cfg.Timeout), nil)
}

// retired is called once a retiring instance has exited.
func (s *Supervisor) retired(inst *instance) {
	inst.retiring = false
	if inst.next != nil {
		inst.spec = *inst.next
		inst.next = nil
		inst.life.QuickCrashes = 0
		s.start(inst)
		return
	}
	if (inst.userStopped || inst.life.Failed) && !s.draining {
		return // stays listed as stopped, or failed
	}
	inst.removed = true
	s.instances = slices.DeleteFunc(s.instances, func(x *instance) bool { return x == inst })
}

func (s *Supervisor) setNames() {
	var names []string
	for _, inst := range s.instances {
		names = append(names, inst.spec.Name)
	}
	for _, j := range s.cronJobs {
		names = append(names, j.Name())
	}
	s.cfg.Output.SetNames(names)
}
