package main

import (
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/foreground"
	"github.com/tend-run/tend/report"
)

func cronFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "lock-dir", Usage: "`DIR` for cron locks, shared by every tend that mounts it (default: a private per-user dir)", EnvVars: []string{"TEND_LOCK_DIR"}},
		&cli.StringFlag{Name: "lock-url", Usage: "PostgreSQL or MySQL/MariaDB `URL` whose locks replace the lock dir, across hosts (e.g. $DATABASE_URL)", EnvVars: []string{"TEND_LOCK_URL"}},
		&cli.StringSliceFlag{Name: "cron-timeout", Usage: "limit of a cron run: `DURATION` for all, or ID=DURATION per job (default 24h, Dokku's)", EnvVars: []string{"TEND_CRON_TIMEOUT"}},
	}
}

func cronCommand() *cli.Command {
	return &cli.Command{
		Name:  "cron",
		Usage: "list, run or export the app.json cron jobs",
		Subcommands: []*cli.Command{
			{
				Name: "list", Usage: "list the cron jobs and their next runs",
				Flags:  withAppFlags(&cli.BoolFlag{Name: "json", Usage: "print JSON"}, cronFlags()[0], cronFlags()[1]),
				Action: cronListAction,
			},
			{
				Name: "run", Usage: "run one cron job now, in the foreground", ArgsUsage: "ID",
				Flags: withAppFlags(append(cronFlags(), timeoutFlag(), stopSignalFlag(),
					&cli.BoolFlag{Name: "no-lock", Usage: "run here even if another run holds the job's lock"},
					&cli.BoolFlag{Name: "here", Usage: "run in the foreground here even when a tend start is running"}, cronForceFlag(), cronPingFlag(), cronRetryFlags()[0], cronRetryFlags()[1])...),
				Action: cronRunAction,
			},
			cronSuspendCommands()[0], cronSuspendCommands()[1], cronLogsCommand(),
			{
				Name: "export", Usage: "print crontab lines that run the jobs through tend (tend export crontab)",
				Flags:  exportFlags(),
				Action: cronExportAction,
			},
		},
	}
}

func cronListAction(c *cli.Context) error {
	opts := loadOptions(c, os.Environ())
	opts.Lenient = false
	a, err := app.Load(opts)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	db, err := settingsFrom(c).OpenLockURL(a, nil)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	susp, closeSusp, err := settingsFrom(c).OpenSuspensions(a, nil)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	defer closeSusp()
	var suspended cronlock.Suspender
	if susp != nil {
		suspended = susp
	}
	list := report.CronList(a, time.Now(), 1, db, suspended)
	if c.Bool("json") {
		report.WriteJSON(c.App.Writer, list)
		return nil
	}
	report.PrintCronList(c.App.Writer, list)
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
	if !c.Bool("no-lock") && !c.Bool("here") && !c.Bool("force") {
		if remote, code, err := foreground.Remote(flagString(c, "socket"), a.Root, job.ID, c.App.Writer, c.App.ErrWriter); remote {
			return ended(code, err)
		}
	}
	grace, err := parseTimeout(flagString(c, "timeout"))
	if err != nil {
		return err
	}
	return ended(foreground.Job{Settings: settingsFrom(c), App: a, Job: job, NoLock: c.Bool("no-lock"), Force: c.Bool("force"), Grace: grace,
		Stdout: c.App.Writer, Stderr: c.App.ErrWriter}.Run())
}
