package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/appjson"
)

// Issue 15, item 1: suspend and resume, kept as files in the lock dir so
// that every tend sharing it, `tend cron run` and Dokku's cron containers
// obey them, with or without a running tend.

func cronSuspendCommands() []*cli.Command {
	flags := func() []cli.Flag {
		return withAppFlags(cronFlags()[0], cronFlags()[1], &cli.BoolFlag{Name: "all", Usage: "every cron job of the app"})
	}
	return []*cli.Command{
		{
			Name: "suspend", Usage: "start no new runs of these jobs, in every tend sharing the lock dir or the --lock-url database (a running one finishes)", ArgsUsage: "ID...|--all",
			Flags: flags(), Action: func(c *cli.Context) error { return cronSuspendAction(c, true) },
		},
		{
			Name: "resume", Usage: "let suspended jobs run again", ArgsUsage: "ID...|--all",
			Flags: flags(), Action: func(c *cli.Context) error { return cronSuspendAction(c, false) },
		},
	}
}

// cronForceFlag lets `tend cron run` run a suspended job.
func cronForceFlag() cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: "run the job even while it is suspended (runs here, not in the running tend)"}
}

func cronSuspendAction(c *cli.Context, suspend bool) error {
	verb := map[bool]string{true: "suspend", false: "resume"}[suspend]
	if (c.Args().Len() == 0) == !c.Bool("all") {
		return &exitError{code: 2, err: fmt.Errorf("usage: tend cron %s ID...|--all", verb)}
	}
	opts := loadOptions(c, os.Environ())
	opts.Lenient = false
	a, err := app.Load(opts)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	var jobs []appjson.Job
	if c.Bool("all") {
		if a.Cron != nil {
			jobs = a.Cron.Jobs
		}
	} else {
		var unknown []string
		for _, id := range c.Args().Slice() {
			j, err := a.FindJob(id)
			if err != nil {
				unknown = append(unknown, err.Error())
				continue
			}
			jobs = append(jobs, j)
		}
		if len(unknown) > 0 {
			return &exitError{code: 1, err: fmt.Errorf("%s", strings.Join(unknown, "\n"))}
		}
	}
	d, closeStore, err := settingsFrom(c).OpenSuspensions(a, nil)
	if err == nil && d == nil {
		err = fmt.Errorf("no lock dir to keep it in: choose one with --lock-dir")
	}
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("cron %s: %w", verb, err)}
	}
	defer closeStore()
	for _, j := range jobs {
		if suspend {
			err = d.Suspend(j.ID)
		} else {
			err = d.Resume(j.ID)
		}
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		fmt.Fprintf(c.App.Writer, "cron.%s %s (%s)\n", j.ID, map[bool]string{true: "suspended", false: "resumed"}[suspend], j.Command)
	}
	if len(jobs) == 0 {
		fmt.Fprintf(c.App.Writer, "no cron jobs to %s\n", verb)
	}
	return nil
}
