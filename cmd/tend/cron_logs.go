package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/client"
	"github.com/tend-run/tend/cmdline"
)

// Issue 15, item 6: the output of past runs, from the running tend or,
// when none runs, from the history file.

func cronLogsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "the output of a job's last run (or N-th last, or last failed), with its start, end, status and attempt", ArgsUsage: "ID",
		Flags: withAppFlags(
			&cli.IntFlag{Name: "run", Value: 1, Usage: "the `N`-th last run (1: the last)"},
			&cli.BoolFlag{Name: "failed", Usage: "count only runs that failed"},
			&cli.BoolFlag{Name: "json", Usage: "print the run as JSON"},
			&cli.StringFlag{Name: "history", Usage: "the history `FILE` to read when no tend is running", EnvVars: []string{"TEND_HISTORY"}},
		),
		Action: cronLogsAction,
	}
}

func cronLogsAction(c *cli.Context) error {
	id := c.Args().First()
	if id == "" || c.Args().Len() > 1 || c.Int("run") < 1 {
		return &cmdline.ExitError{Code: 2, Err: fmt.Errorf("usage: tend cron logs ID [--run N] [--failed] [--json]")}
	}
	o := client.CronLogsOptions{Socket: cmdline.String(c, "socket"), History: c.String("history"), Run: c.Int("run"), Failed: c.Bool("failed"), JSON: c.Bool("json")}
	return cmdline.Fail(client.CronLogs(loadOptions(c, os.Environ()), id, o, c.App.Writer))
}
