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

// runAtStart runs each "@reboot" job once, as the scheduler starts: when
// tend start starts, after --release (jobs a reload adds wait for the next
// start, as with cron's @reboot).
func (s *Scheduler) runAtStart(jobs []Job, now time.Time) {
	for _, j := range jobs {
		if r, ok := j.Schedule.(interface{ AtStart() bool }); ok && r.AtStart() {
			s.fire(j, now, now)
		}
	}
}

// catchUp runs once, at start, every job whose latest due time within
// Config.CatchUp passed while no tend ran it: the history knows the job
// (tend ran it before) but has no record due at or after that time — a
// skip counts, since another tend sharing the lock ran it then. At most
// one run per job, however many times were missed; suspended jobs none.
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
		st := s.cfg.History.Stats(j.ID)
		last, latest := st.Last, st.Latest
		if last == nil || !latest.Scheduled.Before(due) || !latest.Started.Before(due) {
			continue
		}
		if s.cfg.Suspend != nil && s.cfg.Suspend.Suspended(j.ID) {
			continue
		}
		n++
		s.cfg.Output.Printf("%s: catching up the run due at %s, missed while tend was not running (last run %s)", j.Name(), due.Format(time.RFC3339), last.Started.Format(time.RFC3339))
		s.fire(j, due, now)
	}
	s.cfg.Output.Printf("cron catch-up: %d of %d jobs missed a run within %v", n, len(jobs), s.cfg.CatchUp)
}
