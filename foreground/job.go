package foreground

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/proc"
)

// Job is one cron job to run now, in the foreground.
type Job struct {
	Settings app.Settings
	App      *app.App
	Job      appjson.Job
	// NoLock runs it even if another run holds its lock.
	NoLock         bool
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
	sigs, err := j.Settings.StopSignals()
	if err != nil {
		return 0, err
	}
	stop := sigs["cron"]
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	errw := NewErrors(j.Stdout, j.Stderr)
	name := "cron." + j.Job.ID
	if j.Job.Policy != appjson.PolicyAllow && !j.NoLock {
		release, code, err := j.lock(name, errw)
		if release == nil {
			return code, err
		}
		defer release()
	}
	start := time.Now()
	fmt.Fprintf(errw, "tend: %s started (schedule %q): %s\n", name, j.Job.Schedule.Spec, j.Job.Command)
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	a := j.App
	path, args := proc.ShellCommand(a.ExpandCommand(j.Job.Command))
	code := proc.Exec(proc.ExecConfig{
		Command:    proc.Command{Path: path, Args: args, Env: a.CronEnv(j.Job.ID, start, start.Add(maxRun)), Dir: a.Root},
		StopSignal: stop, Timeout: j.Grace, MaxRun: maxRun,
		Terminal: proc.IsTerminal(os.Stdin), ContainerInit: os.Getpid() == 1 || os.Getppid() == 1,
		Reaper: reaper, Errors: errw,
	})
	fmt.Fprintf(errw, "tend: %s exited with status %d after %v\n", name, code, time.Since(start).Round(time.Millisecond))
	return errw.Done(code), nil
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
	lock, err := locks.TakeRun(j.Job.ID, cron.Policy(j.Job.Policy), j.Grace, cron.RealClock, nil)
	if errors.Is(err, cron.ErrLocked) {
		// A database names the holder: "lock held by another run ("tend
		// HOST PID" from ADDR, backend pid N, connected T)".
		holder := ""
		if err != cron.ErrLocked {
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
func stopOnLockTrouble(lock cron.Held, name string, errw io.Writer) {
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
