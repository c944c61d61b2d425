package main

import (
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/client"
	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/control"
)

func logsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "print the recent output of processes and cron runs, as the running tend printed it",
		ArgsUsage: "[TYPE|INSTANCE|cron|CRON-ID|tend|GLOB...]",
		Flags: withAppFlags(
			&cli.StringFlag{Name: "since", Usage: "only lines printed in the last `DURATION` (10m), or since a time (2026-11-24T09:40:00Z)"},
			&cli.IntFlag{Name: "lines", Aliases: []string{"n"}, Value: -1, DefaultText: "all kept", Usage: "only the last `LINES` lines"},
			&cli.BoolFlag{Name: "follow", Usage: "then print new lines as they come, until Ctrl-C or tend exits"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line, as --log-format json prints them"},
		),
		Action: logsAction,
	}
}

func logsAction(c *cli.Context) error {
	q := control.LogQuery{Names: cmdline.Args(c), Lines: -1, Follow: c.Bool("follow"), JSON: c.Bool("json"), NoColor: !client.ColorTerminal(c.App.Writer)}
	if c.IsSet("lines") {
		if q.Lines = c.Int("lines"); q.Lines < 0 {
			return &cmdline.UsageError{Msg: "invalid --lines: want 0 or more", Command: "tend logs"}
		}
	}
	if s := c.String("since"); s != "" {
		since, err := client.ParseSince(s, time.Now())
		if err != nil {
			return &cmdline.UsageError{Msg: "invalid --since: " + err.Error(), Command: "tend logs"}
		}
		q.Since = since
	}
	q.Names = client.DokkuIDs(loadOptions(c, os.Environ()), q.Names)
	return cmdline.Fail(running(c).Logs(q, c.App.Writer, c.App.ErrWriter))
}
