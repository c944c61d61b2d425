package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/client"
	"github.com/tend-run/tend/cmdline"
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
	if (c.Args().Len() == 0) == !c.Bool("all") {
		verb := map[bool]string{true: "suspend", false: "resume"}[suspend]
		return &cmdline.ExitError{Code: 2, Err: fmt.Errorf("usage: tend cron %s ID...|--all", verb)}
	}
	return cmdline.Fail(client.Suspend(loadOptions(c, os.Environ()), settingsFrom(c), c.Args().Slice(), c.Bool("all"), suspend, c.App.Writer))
}
