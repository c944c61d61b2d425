package foreground

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/ping"
	"github.com/tend-run/tend/proc"
)

// Job is one cron job to run now, in the foreground.
type Job struct {
	Settings app.Settings
	App      *app.App
	Job      appjson.Job
	// NoLock runs it even if another run holds its lock.
	NoLock bool
	// Force runs it even while it is suspended (`tend cron suspend`).
	Force          bool
	Grace          time.Duration
	Stdout, Stderr io.Writer
}

// Run runs the job with its lock, policy, timeout and TEND_CRON_*
// variables and returns tend's exit status (ExitLocked when another run
// holds the lock): `tend cron run` and Dokku's own cron containers (exec
// mode with DYNO=cron.N) both come here. An error means it did not run.
func (j Job) Run() (int, error) {
	maxRun, err := j.Settings.CronTimeout(j.Job.ID)
	if err != nil {
		return 0, err
	}
	stop, err := j.stopSignal()
	if err != nil {
		return 0, err
	}
	errw := NewErrors(j.Stdout, j.Stderr)
	name := "cron." + j.Job.ID
	if !j.Force {
		suspended, err := j.suspended(errw)
		if err != nil {
			return 0, err
		}
		if suspended {
			fmt.Fprintf(errw, "tend: %s: not run: it is suspended (tend cron resume %s; --force runs it anyway)\n", name, j.Job.ID)
			return errw.Done(ExitLocked), nil
		}
	}
	if j.Job.Policy != appjson.PolicyAllow && !j.NoLock {
		release, code, err := j.lock(name, errw)
		if release == nil {
			return code, err
		}
		defer release()
	}
	pings, err := j.pings(errw)
	if err != nil {
		return 0, err
	}
	retries, err := j.Settings.CronRetry(j.Job.ID)
	if err != nil {
		return 0, err
	}
	stopping := watchStop(retries > 0)
	defer stopping.stop()
	r := jobRun{j: j, name: name, errw: errw, stop: stop, maxRun: maxRun, retries: retries, pings: pings, stopping: stopping}
	code := r.attempts()
	suffix := ""
	if code != 0 {
		suffix = strconv.Itoa(code)
	}
	pings.send(suffix)
	pings.close()
	return errw.Done(code), nil
}

// stopSignal is the signal a stop gives the job: --stop-signal cron=SIG,
// SIGTERM by default.
func (j Job) stopSignal() (syscall.Signal, error) {
	sigs, err := j.Settings.StopSignals()
	if err != nil {
		return 0, err
	}
	stop := sigs["cron"]
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	return stop, nil
}

// suspended says whether the job is suspended (`tend cron suspend`).
func (j Job) suspended(errw io.Writer) (bool, error) {
	susp, closeSusp, err := j.Settings.OpenSuspensions(j.App, func(format string, args ...any) {
		fmt.Fprintf(errw, "tend: "+format+"\n", args...)
	})
	if err != nil || susp == nil {
		return false, err
	}
	suspended := susp.Suspended(j.Job.ID)
	closeSusp()
	return suspended, nil
}

// jobRun is one foreground run of a job, once it may go on: its attempts.
type jobRun struct {
	j        Job
	name     string
	errw     *Errors
	stop     syscall.Signal
	maxRun   time.Duration
	retries  int
	pings    jobPings
	stopping *stopWatch
}

// attempts runs the command until it succeeds, its retries are used up or
// tend is stopping, and returns the last exit status.
func (r jobRun) attempts() int {
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	a := r.j.App
	path, args := proc.ShellCommand(a.ExpandCommand(r.j.Job.Command))
	first := time.Now()
	var code int
	for attempt := 1; ; attempt++ {
		note := cron.AttemptNote(attempt, r.retries)
		r.pings.send("start")
		start := time.Now()
		fmt.Fprintf(r.errw, "tend: %s started%s (schedule %q): %s\n", r.name, note, r.j.Job.Schedule.Spec, r.j.Job.Command)
		env := a.CronEnv(r.j.Job.ID, first, start.Add(r.maxRun), attempt)
		code = proc.Exec(proc.ExecConfig{
			Command:    proc.Command{Path: path, Args: args, Env: env, Dir: a.Root},
			StopSignal: r.stop, Timeout: r.j.Grace, MaxRun: r.maxRun,
			Terminal: proc.IsTerminal(os.Stdin), ContainerInit: os.Getpid() == 1 || os.Getppid() == 1,
			Reaper: reaper, Errors: r.errw,
		})
		fmt.Fprintf(r.errw, "tend: %s exited with status %d after %v%s\n", r.name, code, time.Since(start).Round(time.Millisecond), note)
		if code == 0 || attempt > r.retries || r.stopping.asked() || !r.retryWait(attempt, first) {
			return code
		}
	}
}

// retryWait waits for the retry after attempt; false when there is none:
// the next scheduled run comes first, or tend is stopping.
func (r jobRun) retryWait(attempt int, first time.Time) bool {
	delay := cron.RetryDelay(r.j.Settings.RetryDelay(), attempt)
	if next, late := cron.RetryTooLate(r.j.Job.Schedule, first, time.Now(), delay); late {
		fmt.Fprintf(r.errw, "tend: %s: not retrying: the next run, due at %s, comes before the retry would (in %v)\n", r.name, next.Format(time.RFC3339), delay)
		return false
	}
	fmt.Fprintf(r.errw, "tend: %s: retrying in %v\n", r.name, delay)
	if !r.stopping.sleep(delay) {
		fmt.Fprintf(r.errw, "tend: %s: attempt %d of %d dropped: tend is stopping\n", r.name, attempt+1, r.retries+1)
		return false
	}
	return true
}

// jobPings sends a foreground run's --cron-ping pings; the zero value
// (no --cron-ping for the job) sends none. tend has no copy of the output
// here (the command writes to tend's stdio itself): no body.
type jobPings struct {
	p  *ping.Pinger
	u  *url.URL
	id string
}

func (j Job) pings(errw io.Writer) (jobPings, error) {
	u, err := j.Settings.CronPing(j.Job.ID)
	if err != nil || u == nil {
		return jobPings{}, err
	}
	p := ping.New(func(format string, args ...any) { fmt.Fprintf(errw, "tend: warning: "+format+"\n", args...) })
	return jobPings{p: p, u: u, id: j.Job.ID}, nil
}

// send queues a ping ("start", "" for success, the exit status).
func (jp jobPings) send(suffix string) {
	if jp.p != nil {
		jp.p.Send(jp.id, jp.u, suffix, nil)
	}
}

// close waits up to ping.Timeout for the queued pings.
func (jp jobPings) close() {
	if jp.p != nil {
		jp.p.Close(ping.Timeout)
	}
}

// lock takes the job's lock; release is nil when the run must not go on,
// with the exit status or error to end with.
func (j Job) lock(name string, errw *Errors) (release func(), code int, err error) {
	locks, closeLocks, err := j.Settings.OpenLocks(j.App, func(format string, args ...any) {
		fmt.Fprintf(errw, "tend: "+format+"\n", args...)
	})
	if err != nil {
		return nil, 0, err
	}
	lock, err := locks.TakeRun(j.Job.ID, cronlock.Policy(j.Job.Policy), j.Grace, cronlock.RealClock, nil)
	if errors.Is(err, cronlock.ErrLocked) {
		// A database names the holder: "lock held by another run ("tend
		// HOST PID" from ADDR, backend pid N, connected T)".
		holder := ""
		if err != cronlock.ErrLocked {
			holder = ": " + err.Error()
		}
		fmt.Fprintf(errw, "tend: %s: skipped: another run holds its lock (%s)%s; --no-lock runs it anyway\n", name, j.Job.Policy, holder)
		code := errw.Done(ExitLocked)
		closeLocks()
		return nil, code, nil
	}
	if err != nil {
		closeLocks()
		return nil, 0, fmt.Errorf("%s: skipped: %w", name, err)
	}
	stopOnLockTrouble(lock, name, errw)
	return func() { lock.Release(); closeLocks() }, 0, nil
}

// stopOnLockTrouble gives a run the stop signal when its lock is lost to
// another holder or another tend replaces it: tend's own SIGTERM, which
// Exec turns into the stop signal, -t and SIGKILL.
func stopOnLockTrouble(lock cronlock.Held, name string, errw io.Writer) {
	lost, asked := lock.Lost(), lock.StopRequested()
	if lost == nil && asked == nil {
		return
	}
	go func() {
		select {
		case <-lost:
			fmt.Fprintf(errw, "tend: %s: lost its lock (the database connection is gone and the lock could not be taken back): stopping the run\n", name)
		case <-asked:
			fmt.Fprintf(errw, "tend: %s: another tend replaces this run (replace): stopping it\n", name)
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
}

// stopWatch notes a stop request (SIGTERM, SIGQUIT, SIGINT) to tend
// between and during attempts: a run stopped that way is not retried, and
// a retry's wait ends.
type stopWatch struct {
	c    chan os.Signal // nil when not watching
	done chan struct{}
}

// watchStop watches only when there are retries (on says so): Notify
// changes how tend handles the signals, and none of this matters then.
// SIGINT is watched only when it was not ignored at start, which Notify
// would undo (nohup, `tend cron run &` keep it ignored for the job).
func watchStop(on bool) *stopWatch {
	w := &stopWatch{done: make(chan struct{})}
	if !on {
		return w
	}
	w.c = make(chan os.Signal, 1)
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGQUIT}
	if !signal.Ignored(syscall.SIGINT) {
		sigs = append(sigs, syscall.SIGINT)
	}
	signal.Notify(w.c, sigs...)
	go func() {
		if _, ok := <-w.c; ok {
			close(w.done)
		}
	}()
	return w
}

// asked says whether a stop was requested.
func (w *stopWatch) asked() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// sleep waits d; false when a stop request came first.
func (w *stopWatch) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.done:
		return false
	}
}

// stop ends the watch; after signal.Stop nothing more is sent on c, so
// closing it ends the goroutine (which then closes nothing).
func (w *stopWatch) stop() {
	if w.c != nil {
		signal.Stop(w.c)
		close(w.c)
	}
}
