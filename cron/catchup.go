package cron

import (
	"time"
)

// maxCatchUpSteps bounds the walk through a schedule's times within the
// catch-up window (a "* * * * *" job has 1440 a day).
const maxCatchUpSteps = 100_000

// latestDue is the last time of s at or before now and after now-window
// (zero: none). "@every" schedules have no fixed times: none.
func latestDue(s Schedule, now time.Time, window time.Duration) time.Time {
	if _, every := s.Every(); every {
		return time.Time{}
	}
	var last time.Time
	t := s.Next(now.Add(-window).Add(-time.Second))
	for i := 0; i < maxCatchUpSteps && !t.IsZero() && !t.After(now); i++ {
		last = t
		t = s.Next(t)
	}
	return last
}

// catchUp runs once, at start, every job whose latest due time within
// Config.CatchUp passed while no tend ran it: the history knows the job
// (tend ran it before) but has no run due at or after that time. At most
// one run per job, however many times were missed.
func (s *Scheduler) catchUp(jobs []Job, now time.Time) {
	if s.cfg.CatchUp <= 0 || s.cfg.History == nil {
		return
	}
	n := 0
	for _, j := range jobs {
		due := latestDue(j.Schedule, now, s.cfg.CatchUp)
		if due.IsZero() {
			continue
		}
		last := s.cfg.History.Stats(j.ID).Last
		if last == nil || !last.Scheduled.Before(due) || !last.Started.Before(due) {
			continue
		}
		n++
		s.cfg.Output.Printf("%s: catching up the run due at %s, missed while tend was not running (last run %s)", j.Name(), due.Format(time.RFC3339), last.Started.Format(time.RFC3339))
		s.fire(j, due, now)
	}
	s.cfg.Output.Printf("cron catch-up: %d of %d jobs missed a run within %v", n, len(jobs), s.cfg.CatchUp)
}
