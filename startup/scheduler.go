package startup

import (
	"context"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/ping"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/runner"
	"github.com/tend-run/tend/spawn"
	"github.com/tend-run/tend/spec"
)

// SchedulerConfig configures the cron scheduler; its runs start with the app
// as it is at that moment, their output through the Mux.
func SchedulerConfig(settings app.Settings, a *app.App, out *output.Mux, reaper *proc.Reaper, timeout time.Duration, jobs []cron.Job, current *atomic.Pointer[app.App], hist cron.History) (*cron.Config, error) {
	locks, _, err := settings.OpenLocks(a, out.Errorf) // they live as long as tend
	if err != nil {
		// Like the control socket, the default lock dir is no reason to
		// refuse to run where the file system is read-only.
		if settings.LockDir != "" || settings.LockURL != "" || !privdir.NoPlace(err) {
			return nil, err
		}
		out.Errorf("warning: running without a lock dir, so forbid and replace hold only within this tend: %v", err)
		locks = nil
	}
	sigs, err := settings.StopSignals()
	if err != nil {
		return nil, err
	}
	logSize, err := settings.LogSize()
	if err != nil {
		return nil, err
	}
	catchUp, err := settings.CatchUp()
	if err != nil {
		return nil, err
	}
	var suspend cronlock.Suspender
	if l, ok := locks.(cronlock.Suspender); ok {
		suspend = l // the lock dir, or the --lock-url database
	} else if st, _, err := settings.OpenSuspensions(a, out.Errorf); err != nil { // lives as long as tend
		return nil, err
	} else if st != nil {
		suspend = st
	}
	return &cron.Config{
		Jobs: jobs, Locks: locks, Grace: timeout, StopSignal: sigs["cron"], Output: out,
		History: hist, Suspend: suspend, LogSize: logSize, CatchUp: catchUp,
		Launch: func(job cron.Job, scheduled, deadline time.Time) (cron.RunHandle, error) {
			a := current.Load()
			path, args := proc.ShellCommand(a.ExpandCommand(job.Command))
			out.ResetTail(job.Name()) // TEND_OUTPUT_TAIL: this run's output only
			child, _, err := spawn.StartPiped(reaper, out, job.Name(), proc.Command{
				Path: path, Args: args, Env: a.CronEnv(job.ID, scheduled, deadline, job.Attempt), Dir: a.Root, NewGroup: true,
			}, job.Tee)
			if err != nil {
				return nil, err
			}
			return child, nil
		},
	}, nil
}

// RunRelease runs the release type once, before anything else starts; it
// returns tend's exit code and whether a stop request ended the release.
func RunRelease(ctx context.Context, a *app.App, out *output.Mux, reaper *proc.Reaper, timeout time.Duration, terminal bool, serving *atomic.Pointer[runner.Supervisor]) (int, bool) {
	rel, ok := a.Process(app.ReleaseType)
	if !ok {
		out.Errorf("--release: the Procfile has no release process")
		return 1, false
	}
	env := spawn.WithEnv(a.Env.Environ(), "PS=release.1", "DYNO=release.1")
	sup := runner.NewSupervisor(runner.Config{
		Dir: a.Root, Timeout: timeout, Terminal: terminal, Output: out, Reaper: reaper,
		Instances: []spec.Instance{{Name: "release.1", Type: app.ReleaseType, Command: rel.Command, Env: env, StopSignal: syscall.SIGTERM, CanDie: true}},
	})
	serving.Store(sup)
	code := sup.Run(ctx)
	if code != 0 {
		out.Errorf("release failed (exit status %d): not starting the app", code)
	}
	return code, sup.StopRequested()
}

// PingGrace is how long tend's exit waits for pings still queued.
const PingGrace = 2 * time.Second

// Pings is the scheduler's Ping for --cron-ping (nil without it), and the
// function that ends its senders at tend's exit (queued pings get
// PingGrace). A failed ping is a warning in tend's output.
func Pings(settings app.Settings, out *output.Mux) (send func(job, suffix string, body []byte), closePings func()) {
	if len(settings.CronPings) == 0 {
		return nil, func() {}
	}
	p := ping.New(func(format string, args ...any) { out.Errorf("warning: "+format, args...) })
	send = func(job, suffix string, body []byte) {
		u, err := settings.CronPing(job) // checked before anything started
		if err == nil && u != nil {
			p.Send(job, u, suffix, body)
		}
	}
	return send, func() { p.Close(PingGrace) }
}
