package runner

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/proc"
)

// ReloadRequest asks the supervisor to apply changes: a full reload of the
// app's files (RestartTypes empty), or a restart of some process types
// because files they use changed (--watch-path).
type ReloadRequest struct {
	Reason       string
	RestartTypes []string
}

// ReloadPlan is what the app declares after a reload.
type ReloadPlan struct {
	Instances []InstanceSpec
	Cron      []cron.Job
	// EnvChanged says the effective environment changed.
	EnvChanged bool
}

// Reloader parses the app's files again; an error leaves everything as it
// was (it has printed the problems itself).
type Reloader func() (ReloadPlan, error)

// reloadResult is what a parse started by reload found.
type reloadResult struct {
	plan   ReloadPlan
	err    error
	reason string
}

// reload handles one request in the supervisor's goroutine. Parsing reads
// files, which can block (a FIFO put in the Procfile's place, a slow
// mount), so it runs off the loop and its result comes back as an event
// (reloaded): signals, the drain and the control socket are never kept
// waiting. Requests while a parse runs are coalesced into one more parse
// after it, since the files may have changed after they were read.
func (s *Supervisor) reload(req ReloadRequest) {
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
func (s *Supervisor) apply(plan ReloadPlan, reason string) {
	changes := newChangeLog()
	wanted := map[string]bool{}
	for _, spec := range plan.Instances {
		wanted[spec.Name] = true
		inst := s.instance(spec.Name)
		switch {
		case inst == nil:
			inst = &instance{spec: spec, backoff: s.cfg.Backoff.Min}
			s.instances = append(s.instances, inst)
			s.start(inst)
			changes.add(spec.Type, "started")
		case inst.spec.Command != spec.Command:
			s.replace(inst, spec)
			changes.add(spec.Type, "restarted (command changed)")
		case !slices.Equal(inst.spec.Env, spec.Env):
			s.replace(inst, spec)
			changes.add(spec.Type, "restarted (environment changed)")
		default:
			checksChanged := !reflect.DeepEqual(inst.spec.Checks, spec.Checks)
			inst.spec = spec // stop signal, can-die, health checks: no restart needed
			if checksChanged && inst.running && !inst.retiring {
				// Checks it has passed are not asked again: the new ones
				// take over from liveness and readiness on.
				s.watchHealth(inst, inst.child, inst.health == nil || !inst.health.starting)
				changes.add(spec.Type, "health checks changed")
			}
		}
	}
	for _, inst := range s.instances {
		if !wanted[inst.spec.Name] && !inst.retiring {
			s.retire(inst, nil)
			changes.add(inst.spec.Type, "stopped")
		}
	}
	for _, inst := range s.instances {
		if inst.waiting && !inst.running && !inst.retiring && !inst.removed {
			s.start(inst) // it exited under --watch: the change is its next chance
			changes.add(inst.spec.Type, "started again")
		}
	}
	if s.cron != nil {
		if n := cronChanges(s.cronJobs, plan.Cron); n != "" {
			changes.other = append(changes.other, n)
		}
		s.cronJobs = plan.Cron
		s.cron.SetJobs(plan.Cron)
	}
	s.setNames()
	if plan.EnvChanged {
		changes.envChanged()
	}
	summary := changes.String()
	if summary == "" {
		summary = "nothing changed"
	}
	s.cfg.Output.Printf("reload (%s): %s", reason, summary)
}

func (s *Supervisor) instance(name string) *instance {
	for _, inst := range s.instances {
		if inst.spec.Name == name && !inst.removed {
			return inst
		}
	}
	return nil
}

// replace stops inst gracefully and starts it again as spec.
func (s *Supervisor) replace(inst *instance, spec InstanceSpec) {
	next := spec
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
func (s *Supervisor) retire(inst *instance, next *InstanceSpec) {
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
		inst.quickCrashes = 0
		s.start(inst)
		return
	}
	if (inst.userStopped || inst.life.failed) && !s.draining {
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

// cronChanges describes how the cron jobs changed.
func cronChanges(old, new []cron.Job) string {
	ids := func(jobs []cron.Job) map[string]cron.Job {
		m := map[string]cron.Job{}
		for _, j := range jobs {
			m[j.ID] = j
		}
		return m
	}
	o, n := ids(old), ids(new)
	added, removed, updated := 0, 0, 0
	for id, j := range n {
		prev, ok := o[id]
		switch {
		case !ok:
			added++
		case prev.Policy != j.Policy || prev.Timeout != j.Timeout:
			updated++
		}
	}
	for id := range o {
		if _, ok := n[id]; !ok {
			removed++
		}
	}
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{added, "added"}, {removed, "removed"}, {updated, "updated"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d cron entries %s", p.n, p.verb))
		}
	}
	return strings.Join(parts, ", ")
}

// changeLog collects what a reload did, per process type, for one line.
type changeLog struct {
	order []string
	byTyp map[string][]string
	other []string
}

func newChangeLog() *changeLog { return &changeLog{byTyp: map[string][]string{}} }

func (c *changeLog) add(typ, what string) {
	if _, ok := c.byTyp[typ]; !ok {
		c.order = append(c.order, typ)
	}
	if !slices.Contains(c.byTyp[typ], what) {
		c.byTyp[typ] = append(c.byTyp[typ], what)
	}
}

// envChanged folds the restarts the environment caused into one phrase.
func (c *changeLog) envChanged() {
	var restarted []string
	for _, typ := range c.order {
		if i := slices.Index(c.byTyp[typ], "restarted (environment changed)"); i >= 0 {
			c.byTyp[typ] = slices.Delete(c.byTyp[typ], i, i+1)
			restarted = append(restarted, typ)
		}
	}
	c.order = slices.DeleteFunc(c.order, func(typ string) bool { return len(c.byTyp[typ]) == 0 })
	if len(restarted) > 0 {
		c.other = append([]string{"environment changed: restarted " + strings.Join(restarted, ", ")}, c.other...)
	}
}

func (c *changeLog) String() string {
	var parts []string
	for _, typ := range c.order {
		parts = append(parts, typ+" "+strings.Join(c.byTyp[typ], ", "))
	}
	return strings.Join(append(parts, c.other...), ", ")
}
