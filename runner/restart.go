package runner

import (
	"time"

	"github.com/tend-run/tend/proc"
)

// scheduleRestart restarts a crashed instance after its back-off, or gives
// up on its type after too many quick crashes.
func (s *Supervisor) scheduleRestart(inst *instance, st proc.ExitStatus, ran time.Duration) {
	delay, giveUp := inst.Life.Crashed(s.cfg.Backoff, ran)
	if giveUp {
		s.giveUp(inst, st)
		return
	}
	s.cfg.Output.Printf("restarting %s in %v", inst.Spec.Name, delay)
	inst.Restarting = true
	inst.restartTimer = s.after(delay, event{inst: inst, restart: true})
}
