package runner

import (
	"cmp"
	"time"

	"github.com/tend-run/tend/proc"
)

// Backoff is the --restart policy: a delay from Min doubling to Max, reset
// after a run of Healthy; GiveUp quick crashes in a row give up on the
// type. An exit 0 is a recycle, started again at once, unless the last
// HotLoop exits 0 each came within Quick of the start: then it is a crash.
type Backoff struct {
	Min, Max, Healthy time.Duration
	GiveUp            int
	Quick             time.Duration
	HotLoop           int
}

// DefaultBackoff is 1 s doubling to 30 s, reset after a minute up, giving
// up after ten quick crashes in a row; ten exits 0 in a row within a second
// of the start are a hot loop.
var DefaultBackoff = Backoff{Min: time.Second, Max: 30 * time.Second, Healthy: time.Minute, GiveUp: 10, Quick: time.Second, HotLoop: 10}

// withDefaults fills in the fields left zero from DefaultBackoff.
func (b Backoff) withDefaults() Backoff {
	d := DefaultBackoff
	return Backoff{Min: cmp.Or(b.Min, d.Min), Max: cmp.Or(b.Max, d.Max), Healthy: cmp.Or(b.Healthy, d.Healthy),
		GiveUp: cmp.Or(b.GiveUp, d.GiveUp), Quick: cmp.Or(b.Quick, d.Quick), HotLoop: cmp.Or(b.HotLoop, d.HotLoop)}
}

// DefaultSampleEvery is how often the memory of instances with a limit is
// sampled.
const DefaultSampleEvery = 5 * time.Second

// scheduleRestart restarts a crashed instance after its back-off, or gives
// up on its type after too many quick crashes.
func (s *Supervisor) scheduleRestart(inst *instance, st proc.ExitStatus, ran time.Duration) {
	b := s.cfg.Backoff
	if ran >= b.Healthy {
		inst.quickCrashes = 0
		inst.backoff = b.Min
	}
	inst.quickCrashes++
	if inst.quickCrashes >= b.GiveUp {
		s.giveUp(inst, st)
		return
	}
	delay := inst.backoff
	inst.backoff = min(inst.backoff*2, b.Max)
	s.cfg.Output.Printf("restarting %s in %v", inst.spec.Name, delay)
	inst.restartTimer = s.after(delay, event{inst: inst, restart: true})
}
