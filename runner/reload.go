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
			if slices.Contains(req.RestartTypes, inst.Spec.Type) && !inst.Retiring {
				s.replace(inst, inst.Spec)
				names = append(names, inst.Spec.Name)
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
			inst = &instance{Member: lifecycle.NewMember(want, s.cfg.Backoff)}
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
		if !wanted[inst.Spec.Name] && !inst.Retiring {
			s.retire(inst, nil)
			changes.Add(inst.Spec.Type, "stopped")
		}
	}
	for _, inst := range s.instances {
		if inst.WaitsForChange() {
			s.start(inst) // it exited under --watch: the change is its next chance
			changes.Add(inst.Spec.Type, "started again")
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
	switch restart, recheck := inst.Reloaded(want); {
	case restart != "":
		s.replace(inst, want)
		changes.Add(want.Type, restart)
	case recheck:
		// Checks it has passed are not asked again: the new ones take
		// over from liveness and readiness on.
		s.watchHealth(inst, inst.child, inst.Health == nil || !inst.Health.Starting)
		changes.Add(want.Type, "health checks changed")
		return true
	}
	return false
}

func (s *Supervisor) instance(name string) *instance {
	for _, inst := range s.instances {
		if inst.Spec.Name == name && !inst.Removed {
			return inst
		}
	}
	return nil
}

// replace stops inst gracefully and starts it again as next.
func (s *Supervisor) replace(inst *instance, next spec.Instance) {
	if !inst.Running {
		inst.Spec = next
		s.start(inst) // which ends a back-off
		return
	}
	s.retire(inst, &next)
}

// retire sends inst its stop signal; after the grace it is killed. When it
// has exited it is started again as next, or removed when next is nil.
func (s *Supervisor) retire(inst *instance, next *spec.Instance) {
	inst.Next = next
	if inst.Retiring {
		return
	}
	inst.cancelRestart()
	if !inst.Running {
		s.retired(inst)
		return
	}
	inst.Retiring = true
	// Off the loop: it returns once the child has exited (or been killed),
	// which the loop learns from the child's exit event.
	go proc.Stop(inst.child, inst.Spec.StopSignal, !inst.Spec.LeaderOnly, time.After(s.cfg.Timeout), nil)
}

// retired is called once a retiring instance has exited.
func (s *Supervisor) retired(inst *instance) {
	switch again, remove := inst.Retired(s.draining); {
	case again:
		s.start(inst)
	case remove:
		s.instances = slices.DeleteFunc(s.instances, func(x *instance) bool { return x == inst })
	}
}

func (s *Supervisor) setNames() {
	var names []string
	for _, inst := range s.instances {
		names = append(names, inst.Spec.Name)
	}
	for _, j := range s.cronJobs {
		names = append(names, j.Name())
	}
	s.cfg.Output.SetNames(names)
}
