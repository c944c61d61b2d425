package cron

import (
	"fmt"
	"maps"
	"sync"
	"syscall"
	"time"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/output"
)

// recheck bounds every sleep of the scheduler: Go timers follow the
// monotonic clock, which ignores wall-clock changes and stops during
// suspend, so a sleep is re-measured against the wall clock at least this
// often.
const recheck = time.Minute

// lateThreshold is how late a run must start to be logged as late.
const lateThreshold = 2 * time.Second

// Schedule is when a job runs (a *schedule.Schedule): the scheduler asks
// only for the next time, the fixed interval if there is one, and the spec
// as written (String).
type Schedule interface {
	// Next is the first time after t (zero: never).
	Next(t time.Time) time.Time
	// Every is the interval of an "@every" schedule.
	Every() (time.Duration, bool)
	String() string
}

// Job is one scheduled entry as the scheduler runs it.
type Job struct {
	ID       string
	Command  string
	Schedule Schedule
	Policy   cronlock.Policy
	// Timeout bounds a run; then it gets the stop signal, the grace and
	// SIGKILL.
	Timeout time.Duration
	// Tee, set for one run, also receives its output.
	Tee *output.Tee
	// Retries is how many times a failed run is tried again (--cron-retry),
	// RetryDelay the wait before the first retry, doubling after each;
	// a retry never starts at or past the job's next scheduled time.
	Retries    int
	RetryDelay time.Duration
	// Attempt numbers the attempts of one due time: 1, then 2… for retries
	// (0 reads as 1).
	Attempt int
}

// attempt is the job's attempt number, from 1.
func (j Job) attempt() int { return max(j.Attempt, 1) }

// Name is the job's output prefix, "cron.<id>".
func (j Job) Name() string { return "cron." + j.ID }

// Config configures a Scheduler.
type Config struct {
	Jobs  []Job
	Clock cronlock.Clock
	// Locks takes the locks of forbid and replace runs (nil: none, the
	// policies then hold within this tend only).
	Locks  cronlock.Locker
	Launch Launcher
	// Grace is the time between the stop signal and SIGKILL.
	Grace      time.Duration
	StopSignal syscall.Signal
	Output     *output.Mux
	// History, if set, records every run and skip.
	History History
	// OnFailure is told when a run fails or times out (nil: nothing).
	OnFailure func(Failure)
	// OnSuccess is told when a run exits 0 (nil: nothing); the --on-failure
	// hook's "recovered" comes from it.
	OnSuccess func(Failure)
	// Suspend, if set, is asked before every run: a suspended job starts
	// none (`tend cron suspend`).
	Suspend cronlock.Suspender
	// LogSize is how much of each run's output is kept with its record
	// (--cron-log-size; 0: none).
	LogSize int
	// CatchUp, if set (and History), has the scheduler run at start a job
	// whose latest due time within it was missed (--cron-catch-up).
	CatchUp time.Duration
	// Ping, if set, is told when a run starts ("start") and when its last
	// attempt ends ("" for success, the exit status, or "fail" when tend
	// stopped it), with the output's tail; it must not block.
	Ping func(job, suffix string, body []byte)
}

// Scheduler runs cron jobs at their times with Dokku's concurrency
// policies. One goroutine decides when; each run has a goroutine that
// watches it until it ends.
type Scheduler struct {
	cfg    Config
	onIdle func()
	stop   chan struct{}
	done   chan struct{}
	update chan []Job

	mu        sync.Mutex
	running   map[string][]*cronRun // by job id
	draining  bool
	wg        sync.WaitGroup
	jobs      []Job                // the current schedule, for Status
	nextTimes map[string]time.Time // each job's next due time, for Status
	// noted are the jobs whose suspension was logged (the loop's own).
	noted map[string]bool
	// retries are the retries waiting for their time, by job id.
	retries map[string]*pendingRetry
	// unreachable counts, by job, the runs skipped in a row because the
	// lock database could not be reached.
	unreachable map[string]int
}

// New prepares a scheduler; Start runs it. onIdle, if not nil, is called
// whenever a run ends (the supervisor waits for all runs to end during its
// drain).
func New(cfg Config, onIdle func()) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = cronlock.RealClock
	}
	if cfg.StopSignal == 0 {
		cfg.StopSignal = syscall.SIGTERM
	}
	return &Scheduler{cfg: cfg, onIdle: onIdle, stop: make(chan struct{}), done: make(chan struct{}), update: make(chan []Job),
		running: map[string][]*cronRun{}, jobs: cfg.Jobs, nextTimes: map[string]time.Time{}, noted: map[string]bool{}, retries: map[string]*pendingRetry{}, unreachable: map[string]int{}}
}

// Start begins scheduling in the background.
func (s *Scheduler) Start() { go s.loop() }

// Running counts the runs in progress.
func (s *Scheduler) Running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, runs := range s.running {
		n += len(runs)
	}
	return n
}

// loop sleeps until the next due run, fires what is due and repeats.
func (s *Scheduler) loop() {
	defer close(s.done)
	now := s.cfg.Clock.Now()
	jobs := s.cfg.Jobs
	next := map[string]time.Time{}
	for _, j := range jobs {
		next[j.ID] = j.Schedule.Next(now)
	}
	s.catchUp(jobs, now)
	s.runAtStart(jobs, now)
	for {
		s.publish(jobs, next)
		wake := time.Time{}
		for _, t := range next {
			if !t.IsZero() && (wake.IsZero() || t.Before(wake)) {
				wake = t
			}
		}
		sleep := recheck
		if !wake.IsZero() {
			sleep = min(max(wake.Sub(now), 0), recheck)
		}
		select {
		case <-s.stop:
			return
		case updated := <-s.update:
			// A job keeps its next time when its ID (schedule and command)
			// is unchanged; new jobs start counting from now.
			now = s.cfg.Clock.Now()
			kept := map[string]time.Time{}
			for _, j := range updated {
				if t, ok := next[j.ID]; ok {
					kept[j.ID] = t
				} else {
					kept[j.ID] = j.Schedule.Next(now)
				}
			}
			jobs, next = updated, kept
			continue
		case <-s.cfg.Clock.After(sleep):
		}
		now = s.cfg.Clock.Now()
		for _, j := range jobs {
			due := next[j.ID]
			if due.IsZero() || due.After(now) {
				continue
			}
			// One run for a due time, however many slots a jump skipped;
			// the next time is computed from now, so a jump back cannot
			// bring a time that has run round again.
			s.fire(j, due, now)
			next[j.ID] = j.Schedule.Next(now)
		}
	}
}

// publish shares the schedule with Status.
func (s *Scheduler) publish(jobs []Job, next map[string]time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = jobs
	s.nextTimes = maps.Clone(next)
}

// record tells the history about a run or a skip. A failed write to its
// file is reported; the run is still kept in memory.
func (s *Scheduler) record(r history.Run) {
	if s.cfg.History == nil {
		return
	}
	r.Duration = max(r.Duration, 0)
	if err := s.cfg.History.Add(r); err != nil {
		s.cfg.Output.Errorf("cron history: %v", err)
	}
}

// fire applies the job's policy to a run due at scheduled.
func (s *Scheduler) fire(job Job, scheduled, now time.Time) {
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	out := s.cfg.Output
	if s.suspended(job, scheduled) {
		return
	}
	// This due time takes over from a retry of the last one still waiting.
	s.dropRetry(job.ID, "the run due at "+scheduled.Format(time.RFC3339)+" takes over")
	s.mu.Lock()
	active := append([]*cronRun(nil), s.running[job.ID]...)
	s.mu.Unlock()
	if late := now.Sub(scheduled); late > lateThreshold {
		out.Printf("%s: run due at %s starts %v late", job.Name(), scheduled.Format(time.RFC3339), late.Round(time.Second))
	}
	switch job.Policy {
	case cronlock.PolicyForbid:
		if len(active) > 0 {
			r := active[0]
			why := fmt.Sprintf("the run started %s is still going (forbid)", r.started.Format(time.RFC3339))
			out.Printf("%s: skipped the run due at %s: %s", job.Name(), scheduled.Format(time.RFC3339), why)
			s.record(history.Run{Job: job.ID, Scheduled: scheduled, Started: now, Outcome: history.OutcomeSkipped, Reason: history.SkipPolicy, Detail: why})
			return
		}
		_, _ = s.launch(job, scheduled)
	case cronlock.PolicyReplace:
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for _, r := range active {
				out.Printf("%s: replacing the run started %s (replace)", job.Name(), r.started.Format(time.RFC3339))
				s.stopAndWait(r, "replaced")
			}
			_, _ = s.launch(job, scheduled)
		}()
	default:
		_, _ = s.launch(job, scheduled)
	}
}

// suspended says whether job is suspended, logging when that changes
// (once, not at every due time of an @every 1s job). A suspended due time
// is not a skip: it is neither recorded nor counted.
func (s *Scheduler) suspended(job Job, scheduled time.Time) bool {
	if s.cfg.Suspend == nil {
		return false
	}
	now := s.cfg.Suspend.Suspended(job.ID)
	if now != s.noted[job.ID] {
		if now {
			s.cfg.Output.Printf("%s: suspended: not starting the run due at %s nor any other until `tend cron resume %s`", job.Name(), scheduled.Format(time.RFC3339), job.ID)
		} else {
			s.cfg.Output.Printf("%s: resumed", job.Name())
		}
		s.noted[job.ID] = now
	}
	return now
}

// SetJobs replaces the schedule (a reload). Runs in progress are left to
// finish, whatever became of their jobs.
func (s *Scheduler) SetJobs(jobs []Job) {
	select {
	case s.update <- jobs:
	case <-s.done:
	}
}

// Drain stops scheduling and gives every running job the stop signal;
// KillAll ends them after the grace. The supervisor owns the timing.
func (s *Scheduler) Drain() {
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		return
	}
	s.draining = true
	var runs []*cronRun
	for _, rs := range s.running {
		runs = append(runs, rs...)
	}
	for _, r := range runs {
		if r.stopped == "" {
			r.stopped = "interrupted by shutdown"
		}
	}
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	for _, r := range runs {
		_ = r.handle.Signal(s.cfg.StopSignal, true)
	}
}

// KillAll SIGKILLs the runs still going and says how many there were.
func (s *Scheduler) KillAll() int { return s.Signal(syscall.SIGKILL) }

// Signal sends sig to the process group of every run in progress and says
// how many there were.
func (s *Scheduler) Signal(sig syscall.Signal) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, rs := range s.running {
		for _, r := range rs {
			n++
			_ = r.handle.Signal(sig, true)
		}
	}
	return n
}

// Wait waits for every run and every replace in progress to end.
func (s *Scheduler) Wait() { s.wg.Wait() }
