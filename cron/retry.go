package cron

import (
	"fmt"
	"time"

	"github.com/tend-run/tend/history"
)

// pendingRetry is a failed run's retry waiting for its time; it holds the
// run's lock meanwhile, so forbid and replace keep it across attempts.
type pendingRetry struct {
	cancel chan struct{} // closed: drop the retry
	done   chan struct{} // closed once the retry has started or been dropped
	why    string        // why it was dropped (set before cancel is closed)
}

// RetryDelay is the wait before the next attempt of a run that ended
// failing as attempt n: first, doubled with every attempt (to a day at
// most). The scheduler and `tend cron run` both retry by it.
func RetryDelay(first time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < 24*time.Hour; i++ {
		d *= 2
	}
	return d
}

// RetryTooLate says whether a retry in delay from now would start at or
// after the job's next due time after due, which then takes over; next is
// that time.
func RetryTooLate(s Schedule, due, now time.Time, delay time.Duration) (next time.Time, late bool) {
	next = s.Next(due)
	return next, !next.IsZero() && !now.Add(delay).Before(next)
}

// planRetry decides whether the failed run r is tried again, and if so
// registers the retry, which then owns r's lock. The caller holds no lock.
func (s *Scheduler) planRetry(r *cronRun, outcome string) (*pendingRetry, time.Duration) {
	n := r.job.attempt()
	if (outcome != history.OutcomeFailed && outcome != history.OutcomeTimedOut) || n > r.job.Retries {
		return nil, 0
	}
	delay := RetryDelay(r.job.RetryDelay, n)
	// The loop computes the next due time from the time it fired this
	// one, so from the due time (plus lateness, under a second) here.
	if next, late := RetryTooLate(r.job.Schedule, r.scheduled, s.cfg.Clock.Now(), delay); late {
		s.cfg.Output.Errorf("%s: not retrying: the next run, due at %s, comes before the retry would (in %v)", r.job.Name(), next.Format(time.RFC3339), delay)
		return nil, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return nil, 0
	}
	p := &pendingRetry{cancel: make(chan struct{}), done: make(chan struct{})}
	s.retries[r.job.ID] = p
	s.wg.Add(1)
	return p, delay
}

// retry waits for the retry's time and starts the next attempt with the
// lock of the failed one; a shutdown or the job's next due time drops it.
func (s *Scheduler) retry(r *cronRun, p *pendingRetry, delay time.Duration) {
	defer s.wg.Done()
	defer close(p.done) // after the deferred removal below
	job := r.job
	job.Attempt = job.attempt() + 1
	stopped := false
	select {
	case <-s.stop:
		stopped = true
	case <-p.cancel:
	case <-s.cfg.Clock.After(delay):
	}
	s.mu.Lock()
	why := p.why // dropRetry's, set under s.mu
	if why == "" && (stopped || s.draining) {
		why = "tend is stopping"
	}
	s.mu.Unlock()
	if why == "" && s.cfg.Suspend != nil && s.cfg.Suspend.Suspended(job.ID) {
		why = "the job is suspended"
	}
	// Still registered while it starts, so that a due time that comes now
	// waits for it (dropRetry) and then sees the new attempt running.
	defer func() {
		s.mu.Lock()
		if s.retries[job.ID] == p {
			delete(s.retries, job.ID)
		}
		s.mu.Unlock()
	}()
	if why != "" {
		release(r.lock)
		s.cfg.Output.Printf("%s: attempt %d of %d dropped: %s", job.Name(), job.Attempt, job.Retries+1, why)
		return
	}
	if _, err := s.start(job, r.scheduled, r.lock); err != nil {
		s.cfg.Output.Errorf("%s: attempt %d of %d: %v", job.Name(), job.Attempt, job.Retries+1, err)
	}
}

// dropRetry drops the waiting retry of job id, if there is one, and waits
// until it has let go of its lock.
func (s *Scheduler) dropRetry(id, why string) {
	s.mu.Lock()
	p := s.retries[id]
	if p != nil {
		delete(s.retries, id)
		p.why = why
		close(p.cancel)
	}
	s.mu.Unlock()
	if p != nil {
		<-p.done
	}
}

// attemptNote is " (attempt N of M)" for a job with retries, else "".
func attemptNote(job Job) string { return AttemptNote(job.attempt(), job.Retries) }

// AttemptNote is " (attempt N of M)" for attempt n of a job with retries,
// else "".
func AttemptNote(n, retries int) string {
	if retries == 0 {
		return ""
	}
	return fmt.Sprintf(" (attempt %d of %d)", n, retries+1)
}

// attemptNo is the attempt recorded in the history: 0 for a job without
// retries.
func attemptNo(job Job) int {
	if job.Retries == 0 {
		return 0
	}
	return job.attempt()
}
