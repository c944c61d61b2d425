package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/proc"
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
	q := control.LogQuery{Names: flagArgs(c), Lines: -1, Follow: c.Bool("follow"), JSON: c.Bool("json"), NoColor: !colorTerminal(c.App.Writer)}
	if c.IsSet("lines") {
		if q.Lines = c.Int("lines"); q.Lines < 0 {
			return &usageError{msg: "invalid --lines: want 0 or more", command: "tend logs"}
		}
	}
	if s := c.String("since"); s != "" {
		since, err := parseSince(s, time.Now())
		if err != nil {
			return &usageError{msg: "invalid --since: " + err.Error(), command: "tend logs"}
		}
		q.Since = since
	}
	q.Names = dokkuIDs(c, q.Names)
	path, _, err := control.Resolve(flagString(c, "socket"), app.Root(loadOptions(c, nil)))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	interrupt := make(chan os.Signal, 1)
	if q.Follow {
		signal.Notify(interrupt, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(interrupt)
	}
	if err := control.CallLogs(path, q, c.App.Writer, c.App.ErrWriter, interrupt); err != nil {
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

// dokkuIDs turns Dokku's cron IDs among names into tend's, which the
// running tend knows, when --app-name says how Dokku names them (as for
// `tend cron run`). An app that does not load leaves names as they are:
// the running tend still answers for its own IDs.
func dokkuIDs(c *cli.Context, names []string) []string {
	if flagString(c, "app-name") == "" || len(names) == 0 {
		return names
	}
	a, err := app.Load(loadOptions(c, os.Environ()))
	if err != nil {
		return names
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if j, err := a.FindJob(n); err == nil {
			out[i] = j.ID
		}
	}
	return out
}

// parseSince reads --since: a duration back from now, or a time in
// RFC 3339.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, errors.New("want a positive duration")
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want a duration such as 10m or a time such as %s", now.UTC().Format(time.RFC3339))
}

// colorTerminal says whether w is a terminal that gets colours, as tend
// start decides for its own stdout.
func colorTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && proc.IsTerminal(f) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}
