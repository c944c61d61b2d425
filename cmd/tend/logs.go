package main

import (
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/client"
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
	q := control.LogQuery{Names: flagArgs(c), Lines: -1, Follow: c.Bool("follow"), JSON: c.Bool("json"), NoColor: !client.ColorTerminal(c.App.Writer)}
	if c.IsSet("lines") {
		if q.Lines = c.Int("lines"); q.Lines < 0 {
			return &usageError{msg: "invalid --lines: want 0 or more", command: "tend logs"}
		}
	}
	if s := c.String("since"); s != "" {
		since, err := client.ParseSince(s, time.Now())
		if err != nil {
			return &usageError{msg: "invalid --since: " + err.Error(), command: "tend logs"}
		}
		q.Since = since
	}
	q.Names = client.DokkuIDs(loadOptions(c, os.Environ()), q.Names)
	path, err := socketPath(c)
	if err != nil {
		return err
	}
	if err := client.Logs(path, q, c.App.Writer, c.App.ErrWriter); err != nil {
		return &exitError{code: 1, err: err}
	}
	return nil
}

// flagArgs are the command's arguments, commas splitting them too
// ("web,worker"), as for restart.
func flagArgs(c *cli.Context) []string {
	var out []string
	for _, a := range c.Args().Slice() {
		for part := range strings.SplitSeq(a, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
