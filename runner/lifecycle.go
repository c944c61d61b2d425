package runner

import (
	"fmt"
	"slices"
	"time"

	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/status"
)

// stopLife ends what was due for the run that has ended.
func (inst *instance) stopLife() {
	for _, t := range []*time.Timer{inst.ageTimer, inst.recoverTimer} {
		if t != nil {
			t.Stop()
		}
	}
	inst.ageTimer, inst.recoverTimer = nil, nil
	inst.Life.Ended()
}

// restarts says inst is started again when it exits (--restart).
func (s *Supervisor) restarts(inst *instance) bool {
	return s.cfg.Restart || inst.Spec.Restart
}

// after sends ev to the loop after d, unless Run has returned.
func (s *Supervisor) after(d time.Duration, ev event) *time.Timer {
	return time.AfterFunc(d, func() {
		select {
		case s.events <- ev:
		case <-s.done:
		}
	})
}

// startedLife sets up what is due for a run that has started: its
// --max-age, and the hook's recovery when its type's failure was hooked.
func (s *Supervisor) startedLife(inst *instance, child *proc.Child) {
	inst.stopLife()
	if age := inst.Spec.MaxAge; age > 0 {
		inst.ageTimer = s.after(lifecycle.AgeDelay(age), event{inst: inst, child: child, aged: true})
	}
	if h := s.cfg.OnFailure; h.Hooked(inst.Spec.Type) {
		inst.recoverTimer = s.after(h.Every, event{inst: inst, child: child, recovered: true})
	}
}

// onLife handles the lifecycle's events: an age reached, a recovery, a
// memory sample.
func (s *Supervisor) onLife(ev event) {
	if ev.sampled {
		s.sampling = false
		s.sampled(ev.usage)
		return
	}
	inst := ev.inst
	if inst.child != ev.child || !inst.Running || s.draining {
		return // about a run that has ended
	}
	switch {
	case ev.aged:
		inst.ageTimer = nil
		s.cfg.Output.Printf("%s has run for %v (--max-age %v, less up to 10 %%): recycling it", inst.Spec.Name,
			time.Since(inst.child.Started).Round(time.Millisecond), inst.Spec.MaxAge)
		inst.Recycle(lifecycle.ReasonAge)
	case ev.recovered:
		inst.recoverTimer = nil
		s.cfg.OnFailure.Fire(hook.Failure{Event: hook.EventRecovered, Process: inst.Spec.Name, Type: inst.Spec.Type, Duration: time.Since(inst.child.Started)})
	}
}

// sample measures, off the loop, the instances that have a memory limit;
// one sample at a time.
func (s *Supervisor) sample() {
	if s.sampling || s.draining {
		return
	}
	groups := s.groups(func(x *instance) bool { return x.Spec.MaxMemory > 0 && x.Live() })
	if len(groups) == 0 {
		return
	}
	s.sampling = true
	go func() {
		u := procfs.GroupUsage(groups)
		select {
		case s.events <- event{sampled: true, usage: u}:
		case <-s.done:
		}
	}()
}

// sampled acts on a sample: an instance above its limit twice in a row
// is recycled.
func (s *Supervisor) sampled(usage map[int]procfs.Usage) {
	for _, inst := range s.instances {
		limit := inst.Spec.MaxMemory
		if limit == 0 || !inst.Live() {
			continue
		}
		u, ok := usage[inst.child.Pid]
		if !ok {
			continue
		}
		if inst.Life.Sampled(u.RSS, limit) {
			s.cfg.Output.Printf("%s uses %s of memory in %d processes, above its --max-memory %s for 2 samples in a row: recycling it",
				inst.Spec.Name, status.FormatBytes(u.RSS), u.Processes, status.FormatBytes(limit))
			inst.Recycle(lifecycle.ReasonMemory)
		}
	}
}

// roll replaces the recycles whose turn it is (lifecycle.Roll): one
// instance of a type at a time.
func (s *Supervisor) roll() {
	pending := func(x *instance) bool { return x.Life.Pending != "" }
	if s.draining || !slices.ContainsFunc(s.instances, pending) {
		return // the usual case, after every event: nothing to build
	}
	for _, i := range lifecycle.Roll(members(s.instances), s.cfg.Backoff) {
		s.replace(s.instances[i], s.instances[i].Spec)
	}
}

// giveUp ends the restarts of inst's type after too many quick crashes:
// tend stops with its status, or, for a type that may die, the type stays
// down (failed) and the rest runs on.
func (s *Supervisor) giveUp(inst *instance, st proc.ExitStatus) {
	typ := inst.Spec.Type
	s.cfg.Output.Errorf("%s stopped %d times in a row within %v; giving up on %s", inst.Spec.Name, inst.Life.QuickCrashes, s.cfg.Backoff.Healthy, typ)
	f := hook.Failure{Event: hook.EventGaveUp, Process: inst.Spec.Name, Type: typ, Status: st, Tail: inst.runTail()}
	if inst.child != nil {
		f.OutputDone = inst.child.OutputDone()
	}
	s.cfg.OnFailure.Fire(f)
	if !inst.Spec.CanDie {
		s.drain(fmt.Sprintf("%s keeps crashing", typ), lifecycle.FailureCode(st))
		return
	}
	s.cfg.Output.Errorf("%s failed: it may die (--can-die), so the rest keeps running; tend restart %s tries again", typ, typ)
	for _, x := range s.instances {
		if x.Spec.Type != typ {
			continue
		}
		x.Life.Failed, x.Life.Pending = true, ""
		x.cancelRestart()
		if x.Running {
			s.retire(x, nil)
		}
	}
}

// usage is what the running instances' groups use, for the snapshot: one
// pass over /proc, reused for SampleEvery while the same groups run.
func (s *Supervisor) usage() map[int]procfs.Usage {
	return s.usageCache.Get(s.groups(func(x *instance) bool { return x.Running }), s.cfg.SampleEvery)
}

// groups are the process groups of the instances that have had a child
// and that keep selects.
func (s *Supervisor) groups(keep func(*instance) bool) []int {
	var groups []int
	for _, inst := range s.instances {
		if inst.child != nil && keep(inst) {
			groups = append(groups, inst.child.Pid)
		}
	}
	return groups
}

// runTail is the output of inst's last run, for the hook (nil: it did not
// start, so the name's).
func (inst *instance) runTail() func() string {
	if inst.pipes == nil {
		return nil
	}
	return inst.pipes.Tail
}
