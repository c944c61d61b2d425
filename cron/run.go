package cron

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/status"
)

// RunHandle is a started run (a *Child in production).
type RunHandle interface {
	Done() <-chan struct{}
	Wait() proc.ExitStatus
	Signal(sig syscall.Signal, group bool) error
}

// Launcher starts one run of a job.
type Launcher func(job Job, scheduled, deadline time.Time) (RunHandle, error)

// Failure is a run that failed or timed out, for the --on-failure hook.
type Failure struct {
	// Process is the run's name ("cron.ab12cd34").
	Process  string
	JobID    string
	Status   proc.ExitStatus
	Duration time.Duration
	// OutputDone is closed once the run's output has been copied.
	OutputDone <-chan struct{}
}

type cronRun struct {
	job       Job
	handle    RunHandle
	scheduled time.Time
	started   time.Time
	lock      cronlock.Held
	// stopped says why tend stopped the run, if it did.
	stopped string
	// tail keeps the end of its output (nil without Config.LogSize).
	tail *runTail
	// finished is closed once the run has ended and released its lock;
	// status is valid then.
	finished chan struct{}
	status   proc.ExitStatus
}

// launch takes the job's lock if its policy needs one and starts the run.
// Trouble with the lock is this job's alone: logged, and the run skipped.
func (s *Scheduler) launch(job Job, scheduled time.Time) (*cronRun, error) {
	out := s.cfg.Output
	var lock cronlock.Held
	if job.Policy != cronlock.PolicyAllow && s.cfg.Locks != nil {
		var err error
		lock, err = s.cfg.Locks.TakeRun(job.ID, job.Policy, s.cfg.Grace, s.cfg.Clock, s.stop)
		s.noteReachable(job, err)
		if errors.Is(err, cronlock.ErrLocked) {
			holder := fmt.Sprintf("another tend holds %s.lock", job.ID)
			if err != cronlock.ErrLocked {
				holder = err.Error() // a database names the holder
			}
			out.Printf("%s: skipped the run due at %s: %s (%s)", job.Name(), scheduled.Format(time.RFC3339), holder, job.Policy)
			s.record(history.Run{Job: job.ID, Scheduled: scheduled, Started: s.cfg.Clock.Now(), Outcome: history.OutcomeSkipped,
				Reason: history.SkipLocked, Detail: holder})
			return nil, fmt.Errorf("%w: another tend holds the lock of %s (%s)", status.ErrSkipped, job.Name(), job.Policy)
		}
		if err != nil {
			out.Errorf("%s: skipped the run due at %s: %v", job.Name(), scheduled.Format(time.RFC3339), err)
			s.record(history.Run{Job: job.ID, Scheduled: scheduled, Started: s.cfg.Clock.Now(), Outcome: history.OutcomeSkipped,
				Reason: skipReason(err), Detail: err.Error()})
			return nil, err
		}
	}
	return s.start(job, scheduled, lock)
}

// start starts a run of job holding lock (nil for none), which it
// releases if the run cannot start.
func (s *Scheduler) start(job Job, scheduled time.Time, lock cronlock.Held) (*cronRun, error) {
	out := s.cfg.Output
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		release(lock)
		return nil, fmt.Errorf("%w: tend is stopping", status.ErrSkipped)
	}
	now := s.cfg.Clock.Now()
	deadline := now.Add(job.Timeout)
	var tail *runTail
	if s.cfg.LogSize > 0 {
		tail = &runTail{size: s.cfg.LogSize}
		job.Tee = teeWith(tail, job.Tee)
	}
	hold := out.HoldOutput(job.Name()) // the run's output comes after its started line
	h, err := s.cfg.Launch(job, scheduled, deadline)
	if err != nil {
		s.mu.Unlock()
		release(lock)
		hold.Release()
		out.Errorf("%s: failed to start: %v", job.Name(), err)
		return nil, err
	}
	r := &cronRun{job: job, handle: h, scheduled: scheduled, started: now, lock: lock, tail: tail, finished: make(chan struct{})}
	s.running[job.ID] = append(s.running[job.ID], r)
	s.wg.Add(1)
	s.mu.Unlock()
	if s.cfg.Ping != nil {
		s.cfg.Ping(job.ID, "start", nil)
	}
	hold.Printf("%s: started%s (schedule %q, due %s): %s", job.Name(), attemptNote(job), job.Schedule, scheduled.Format(time.RFC3339), job.Command)
	go s.watch(r)
	return r, nil
}

// noteReachable counts the runs of job skipped in a row because the lock
// database could not be reached, and says so when it answers again.
func (s *Scheduler) noteReachable(job Job, err error) {
	down := errors.Is(err, cronlock.ErrLockUnavailable)
	s.mu.Lock()
	n := s.unreachable[job.ID]
	if down {
		s.unreachable[job.ID] = n + 1
	} else {
		delete(s.unreachable, job.ID)
	}
	s.mu.Unlock()
	if !down && n > 0 {
		s.cfg.Output.Printf("%s: the lock database answers again (%d runs skipped while it did not)", job.Name(), n)
	}
}

// teeIdleLimit is how long a finished run's remaining output is waited for
// without progress: a background process it left may hold its pipes open
// indefinitely, while a slow caller still receiving output is waited for.
const teeIdleLimit = 2 * time.Second

// waitOutput waits for a run's output to be copied, up to teeIdleLimit:
// a background process the run left may hold its pipes open.
func waitOutput(done <-chan struct{}) {
	if done == nil {
		return
	}
	t := time.NewTimer(teeIdleLimit)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// outputHandle is a run whose output's end can be waited for (a *Child).
type outputHandle interface{ OutputDone() <-chan struct{} }

// RunNow starts job id at once, with its policy and lock: forbid refuses
// while a run is going (status.ErrSkipped), replace stops the running one first.
// The run is logged and recorded like a scheduled one; its output also
// goes to tee. It returns the run's exit status, or stops the run (grace,
// then SIGKILL) when cancel is closed.
func (s *Scheduler) RunNow(id string, tee *output.Tee, cancel <-chan struct{}) (proc.ExitStatus, error) {
	s.mu.Lock()
	var job *Job
	for i := range s.jobs {
		if s.jobs[i].ID == id {
			job = &s.jobs[i]
		}
	}
	if job == nil {
		s.mu.Unlock()
		return proc.ExitStatus{}, fmt.Errorf("no cron job %q in the running tend", id)
	}
	j := *job
	j.Tee = tee
	j.Retries = 0 // the caller sees one run and its status
	active := append([]*cronRun(nil), s.running[id]...)
	s.mu.Unlock()
	now := s.cfg.Clock.Now()
	switch {
	case s.cfg.Suspend != nil && s.cfg.Suspend.Suspended(id):
		return proc.ExitStatus{}, fmt.Errorf("%w: %s is suspended (`tend cron resume %s`, or --force)", status.ErrSkipped, j.Name(), id)
	case j.Policy == cronlock.PolicyForbid && len(active) > 0:
		why := fmt.Sprintf("the run started %s is still going (forbid)", active[0].started.Format(time.RFC3339))
		s.record(history.Run{Job: id, Scheduled: now, Started: now, Outcome: history.OutcomeSkipped, Reason: history.SkipPolicy, Detail: why})
		return proc.ExitStatus{}, fmt.Errorf("%w: %s", status.ErrSkipped, why)
	case j.Policy == cronlock.PolicyReplace:
		for _, r := range active {
			s.stopAndWait(r, "replaced")
		}
	}
	r, err := s.launch(j, now)
	if err != nil {
		return proc.ExitStatus{}, err
	}
	select {
	case <-r.finished:
	case <-cancel:
		s.stopAndWait(r, "cancelled by the caller")
	}
	// The run's last lines may still be in its pipes: the caller gets them
	// before the exit status.
	if h, ok := r.handle.(outputHandle); ok && tee != nil {
		tee.WaitIdle(h.OutputDone(), teeIdleLimit)
	}
	return r.status, nil
}

// watch waits for a run to end, enforcing its timeout, and logs the end.
func (s *Scheduler) watch(r *cronRun) {
	defer s.wg.Done()
	s.await(r)
	st := r.handle.Wait()
	s.mu.Lock()
	outcome := outcomeOf(r.stopped, st)
	s.mu.Unlock()
	retry, delay := s.planRetry(r, outcome)
	if retry == nil {
		release(r.lock) // else the retry holds it across attempts
	}
	r.status = st
	defer close(r.finished)
	why := s.remove(r)
	took := s.cfg.Clock.Now().Sub(r.started).Round(time.Millisecond)
	// The end of the run is logged after its last line.
	var output <-chan struct{}
	if c, ok := r.handle.(outputHandle); ok {
		output = c.OutputDone()
	}
	rec := history.Run{Job: r.job.ID, Scheduled: r.scheduled, Started: r.started, Duration: took, ExitCode: st.ExitCode(), Outcome: outcome, Attempt: attemptNo(r.job)}
	if r.tail != nil {
		waitOutput(output)
		rec.Output, rec.ErrorLine = r.tail.output(), r.tail.errorLine()
	}
	s.record(rec)
	// A stop tend asked for (a deploy's drain, a replace, whose run pings
	// its own start) is no failure to report, as for --on-failure.
	if s.cfg.Ping != nil && retry == nil && outcome != history.OutcomeInterrupted && outcome != history.OutcomeReplaced {
		s.cfg.Ping(r.job.ID, pingSuffix(why, st), []byte(rec.Output))
	}
	if (outcome == history.OutcomeFailed || outcome == history.OutcomeTimedOut) && s.cfg.OnFailure != nil && retry == nil {
		s.cfg.OnFailure(Failure{Process: r.job.Name(), JobID: r.job.ID, Status: st, Duration: took, OutputDone: output})
	}
	if outcome == history.OutcomeOK && s.cfg.OnSuccess != nil {
		s.cfg.OnSuccess(Failure{Process: r.job.Name(), JobID: r.job.ID, Status: st, Duration: took, OutputDone: output})
	}
	msg := fmt.Sprintf("%s: %s after %v%s", r.job.Name(), st, took, attemptNote(r.job))
	if why != "" {
		msg += " (" + why + ")"
	}
	if retry != nil {
		msg += fmt.Sprintf("; retrying in %v", delay)
	}
	if st.Success() && why == "" {
		s.cfg.Output.PrintfAfter(r.job.Name(), output, "%s", msg)
	} else {
		s.cfg.Output.ErrorfAfter(r.job.Name(), output, "%s", msg)
	}
	if retry != nil {
		go s.retry(r, retry, delay)
	}
	if s.onIdle != nil {
		s.onIdle()
	}
}

// await waits until the run ends, or stops it when it times out, loses its
// lock or another tend replaces it.
func (s *Scheduler) await(r *cronRun) {
	var timeout <-chan time.Time
	if r.job.Timeout > 0 {
		timeout = s.cfg.Clock.After(r.job.Timeout)
	}
	var lost, asked <-chan struct{}
	if r.lock != nil {
		lost, asked = r.lock.Lost(), r.lock.StopRequested()
	}
	select {
	case <-r.handle.Done():
	case <-timeout:
		s.cfg.Output.Errorf("%s: timed out after %v", r.job.Name(), r.job.Timeout)
		s.stopRun(r, "timed out")
	case <-lost:
		// Another holder may run the job now: two runs must not overlap.
		s.cfg.Output.Errorf("%s: lost its lock (the database connection is gone and the lock could not be taken back): stopping the run", r.job.Name())
		s.stopRun(r, history.OutcomeLockLost)
	case <-asked:
		s.cfg.Output.Printf("%s: another tend replaces this run (replace): stopping it", r.job.Name())
		s.stopRun(r, history.OutcomeReplaced)
	}
}

// remove takes a run that ended off the running list and says why tend
// stopped it, if it did.
func (s *Scheduler) remove(r *cronRun) (why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	runs := s.running[r.job.ID]
	for i, x := range runs {
		if x == r {
			s.running[r.job.ID] = append(runs[:i:i], runs[i+1:]...)
			break
		}
	}
	return r.stopped
}

// pingSuffix is healthchecks.io's word for how a run ended: "" (success),
// its exit status when it failed on its own, "fail" when tend stopped it
// (a timeout, replace, shutdown: the status is tend's signal).
func pingSuffix(why string, st proc.ExitStatus) string {
	switch code := st.ExitCode(); {
	case why == "" && st.Success():
		return ""
	case why == "" && code > 0 && code <= 255:
		return strconv.Itoa(code)
	default:
		return "fail"
	}
}

// outcomeOf is the history outcome of a run that ended with st, stopped by
// tend for why ("" if it was not).
func outcomeOf(why string, st proc.ExitStatus) string {
	switch {
	case why == "interrupted by shutdown":
		return history.OutcomeInterrupted
	case why != "": // history.OutcomeTimedOut, OutcomeReplaced or OutcomeCancelled
		return why
	case st.Success():
		return history.OutcomeOK
	default:
		return history.OutcomeFailed
	}
}

// stopRun sends the stop signal, waits the grace, then SIGKILLs.
func (s *Scheduler) stopRun(r *cronRun, why string) {
	s.mu.Lock()
	if r.stopped == "" {
		r.stopped = why
	}
	s.mu.Unlock()
	proc.Stop(r.handle, s.cfg.StopSignal, true, s.cfg.Clock.After(s.cfg.Grace), nil)
}

// stopAndWait stops a run and waits until it has released its lock.
func (s *Scheduler) stopAndWait(r *cronRun, why string) {
	s.stopRun(r, why)
	<-r.finished
}
