package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/dblock"
	"github.com/tend-run/tend/proc"
)

// exitLocked is EX_TEMPFAIL: the job's lock is held elsewhere; try later.
const exitLocked = 75

func cronFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "lock-dir", Usage: "`DIR` for cron locks, shared by every tend that mounts it (default: a private per-user dir)", EnvVars: []string{"TEND_LOCK_DIR"}},
		&cli.StringFlag{Name: lockURLFlag, Usage: "PostgreSQL or MySQL/MariaDB `URL` whose locks replace the lock dir, across hosts (e.g. $DATABASE_URL)", EnvVars: []string{"TEND_LOCK_URL"}},
		&cli.StringSliceFlag{Name: "cron-timeout", Usage: "limit of a cron run: `DURATION` for all, or ID=DURATION per job (default 24h, Dokku's)", EnvVars: []string{"TEND_CRON_TIMEOUT"}},
	}
}

// openLockDir opens --lock-dir, or the private per-user directory of this
// app root, which `tend start` and `tend cron run` on one machine share.
func openLockDir(s app.Settings, root string) (*cron.LockDir, error) {
	dir, err := s.LockDirPath(root)
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	d, err := cron.OpenLockDir(dir)
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return d, nil
}

func cronCommand() *cli.Command {
	return &cli.Command{
		Name:  "cron",
		Usage: "list, run or export the app.json cron jobs",
		Subcommands: []*cli.Command{
			{
				Name: "list", Usage: "list the cron jobs and their next runs",
				Flags:  withAppFlags(&cli.BoolFlag{Name: "json", Usage: "print JSON"}, cronFlags()[1]),
				Action: cronListAction,
			},
			{
				Name: "run", Usage: "run one cron job now, in the foreground", ArgsUsage: "ID",
				Flags: withAppFlags(append(cronFlags(), timeoutFlag(), stopSignalFlag(),
					&cli.BoolFlag{Name: "no-lock", Usage: "run here even if another run holds the job's lock"},
					&cli.BoolFlag{Name: "here", Usage: "run in the foreground here even when a tend start is running"})...),
				Action: cronRunAction,
			},
			{
				Name: "export", Usage: "print crontab lines that run the jobs through tend (tend export crontab)",
				Flags:  exportFlags(),
				Action: cronExportAction,
			},
		},
	}
}

type cronListEntry struct {
	ID          string   `json:"id"`
	DokkuID     string   `json:"dokku_id,omitempty"`
	Schedule    string   `json:"schedule"`
	Command     string   `json:"command"`
	Policy      string   `json:"concurrency_policy"`
	Maintenance bool     `json:"maintenance"`
	Next        string   `json:"next,omitempty"`
	NextRuns    []string `json:"next_runs"`
	// Lock names the job's lock in the --lock-url database.
	Lock string `json:"lock,omitempty"`
}

func cronList(a *app.App, now time.Time, n int, db *dblock.Locker) []cronListEntry {
	out := []cronListEntry{}
	if a.Cron == nil {
		return out
	}
	for _, j := range a.Cron.Jobs {
		e := cronListEntry{ID: j.ID, Schedule: j.Schedule.Spec, Command: j.Command, Policy: string(j.Policy), Maintenance: j.Maintenance, NextRuns: []string{}}
		if a.AppName != "" {
			e.DokkuID = appjson.DokkuID(a.AppName, j.Command, j.Schedule.Spec)
		}
		if db != nil && j.Policy != appjson.PolicyAllow {
			e.Lock = db.Describe(j.ID)
		}
		if !j.Maintenance {
			for _, t := range j.Schedule.NextN(now, n) {
				e.NextRuns = append(e.NextRuns, t.In(j.Schedule.Location).Format(time.RFC3339))
			}
			if len(e.NextRuns) > 0 {
				e.Next = e.NextRuns[0]
			}
		}
		out = append(out, e)
	}
	return out
}

func cronListAction(c *cli.Context) error {
	opts := loadOptions(c, os.Environ())
	opts.Lenient = false
	a, err := app.Load(opts)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	db, err := openLockURL(settingsFrom(c), a, nil)
	if err != nil {
		return err
	}
	list := cronList(a, time.Now(), 1, db)
	if c.Bool("json") {
		writeJSON(c.App.Writer, list)
		return nil
	}
	for _, e := range list {
		next := "next " + e.Next
		switch {
		case e.Maintenance:
			next = "maintenance"
		case e.Next == "":
			next = "never"
		}
		fmt.Fprintf(c.App.Writer, "%s  %-20s  %-7s  %-30s  %s\n", e.ID, e.Schedule, e.Policy, next, e.Command)
		if e.DokkuID != "" {
			fmt.Fprintf(c.App.Writer, "          dokku id %s\n", e.DokkuID)
		}
	}
	return nil
}

func cronRunAction(c *cli.Context) error {
	id := c.Args().First()
	if id == "" || c.Args().Len() > 1 {
		return &exitError{code: 2, err: fmt.Errorf("usage: tend cron run ID")}
	}
	a, err := app.Load(loadOptions(c, os.Environ()))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	job, err := a.FindJob(id)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if !c.Bool("no-lock") && !c.Bool("here") {
		if remote, err := runCronRemote(c, a, job.ID); remote {
			return err
		}
	}
	return runCronJob(c, a, job, c.Bool("no-lock"))
}

// runCronJob runs one job in the foreground, tini-style, with its lock,
// policy, timeout and TEND_CRON_* variables: `tend cron run` and Dokku's
// own cron containers (exec mode with DYNO=cron.N) both come here.
func runCronJob(c *cli.Context, a *app.App, job appjson.Job, noLock bool) error {
	grace, err := parseTimeout(flagString(c, "timeout"))
	if err != nil {
		return err
	}
	settings := settingsFrom(c)
	maxRun, err := settings.CronTimeout(job.ID)
	if err != nil {
		return planError(err)
	}
	sigs, err := settings.StopSignals()
	if err != nil {
		return planError(err)
	}
	stop := sigs["cron"]
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	errw := execErrors(c)
	name := "cron." + job.ID
	if job.Policy != appjson.PolicyAllow && !noLock {
		locks, closeLocks, err := openLocks(settings, a, func(format string, args ...any) {
			fmt.Fprintf(errw, "tend: "+format+"\n", args...)
		})
		if err != nil {
			return err
		}
		defer closeLocks()
		lock, err := locks.TakeRun(job.ID, cron.Policy(job.Policy), grace, cron.RealClock, nil)
		if errors.Is(err, cron.ErrLocked) {
			fmt.Fprintf(errw, "tend: %s: skipped: another run holds its lock (%s); --no-lock runs it anyway\n", name, job.Policy)
			return exitCode(errw.done(exitLocked))
		}
		if err != nil {
			return &exitError{code: 1, err: fmt.Errorf("%s: skipped: %w", name, err)}
		}
		defer lock.Release()
		stopOnLockTrouble(lock, name, errw)
	}
	start := time.Now()
	deadline := start.Add(maxRun)
	fmt.Fprintf(errw, "tend: %s started (schedule %q): %s\n", name, job.Schedule.Spec, job.Command)
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	path, args := proc.ShellCommand(a.ExpandCommand(job.Command))
	code := proc.Exec(proc.ExecConfig{
		Command:    proc.Command{Path: path, Args: args, Env: a.CronEnv(job.ID, start, deadline), Dir: a.Root},
		StopSignal: stop, Timeout: grace, MaxRun: maxRun,
		Terminal: proc.IsTerminal(os.Stdin), ContainerInit: os.Getpid() == 1 || os.Getppid() == 1,
		Reaper: reaper, Errors: errw,
	})
	fmt.Fprintf(errw, "tend: %s exited with status %d after %v\n", name, code, time.Since(start).Round(time.Millisecond))
	return exitCode(errw.done(code))
}
