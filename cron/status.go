package cron

import (
	"time"

	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/status"
)

// History keeps the runs of the cron jobs: a *history.Store.
type History interface {
	Add(history.Run) error
	Stats(job string) history.Stats
}

// Status reports every job: next run, runs in progress with an estimate
// of the time left, and the history's counts.
func (s *Scheduler) Status(now time.Time) []status.Job {
	suspended := s.suspendedJobs()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []status.Job{}
	for _, j := range s.jobs {
		st := status.Job{ID: j.ID, Schedule: j.Schedule.String(), Command: j.Command, Policy: string(j.Policy), Running: []status.Run{}}
		if t, ok := s.nextTimes[j.ID]; ok && !t.IsZero() {
			st.Next = &t
		}
		var sum history.Stats
		if s.cfg.History != nil {
			sum = s.cfg.History.Stats(j.ID)
		}
		st.Runs, st.Failures, st.Skips, st.SkipsBy = sum.Runs, sum.Failures, sum.Skips, sum.SkipsBy
		// A run in progress is the latest due run: it got its lock.
		if l := sum.Latest; l != nil && l.Skipped() && len(s.running[j.ID]) == 0 {
			st.Skipped = &status.Skip{Scheduled: l.Scheduled, At: l.Started, Reason: l.Reason, Detail: l.Detail}
		}
		if l := sum.Last; l != nil {
			st.Last = &status.LastRun{Started: l.Started, Duration: l.Duration, ExitCode: l.ExitCode, Outcome: l.Outcome}
			if !l.Success() {
				st.Last.ErrorLine = l.ErrorLine
			}
		}
		if !sum.LastSuccess.IsZero() {
			t := sum.LastSuccess
			st.LastSuccess = &t
		}
		st.Gap = scheduleGap(j, now)
		st.Suspended = suspended[j.ID]
		for _, r := range s.running[j.ID] {
			rs := status.Run{Started: r.started, Elapsed: now.Sub(r.started), Attempt: attemptNo(r.job)}
			if c, ok := r.handle.(*proc.Child); ok {
				rs.Pid = c.Pid
			}
			if sum.AvgSuccess > 0 {
				left := max(sum.AvgSuccess-rs.Elapsed, 0)
				rs.Remaining = &left
			}
			st.Running = append(st.Running, rs)
		}
		out = append(out, st)
	}
	return out
}

// suspendedJobs asks the Suspender about every job without holding the
// scheduler's lock: with --lock-url that is a database query each, which
// the runs starting and ending meanwhile must not wait for.
func (s *Scheduler) suspendedJobs() map[string]bool {
	if s.cfg.Suspend == nil {
		return nil
	}
	s.mu.Lock()
	jobs := s.jobs
	s.mu.Unlock()
	out := map[string]bool{}
	for _, j := range jobs {
		out[j.ID] = s.cfg.Suspend.Suspended(j.ID)
	}
	return out
}

// scheduleGap is the time between the job's last two scheduled times
// before now: what a dead man's switch should tolerate (a weekday job
// tolerates the weekend). It looks back up to a year, in steps.
func scheduleGap(j Job, now time.Time) time.Duration {
	if d, ok := j.Schedule.Every(); ok {
		return d
	}
	for _, back := range []time.Duration{2 * time.Hour, 2 * 24 * time.Hour, 8 * 24 * time.Hour, 63 * 24 * time.Hour, 366 * 24 * time.Hour} {
		times := []time.Time{}
		for t := j.Schedule.Next(now.Add(-back)); !t.IsZero() && !t.After(now); t = j.Schedule.Next(t) {
			times = append(times, t)
			if len(times) > 2 {
				times = times[1:]
			}
		}
		if len(times) == 2 {
			return times[1].Sub(times[0])
		}
	}
	return 0
}
