package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

func controlCommands() []*cli.Command {
	target := func(name, usage string, flags ...cli.Flag) *cli.Command {
		return &cli.Command{
			Name: name, Usage: usage + " (several, globs such as 'web.*', or none for all)", ArgsUsage: "[TYPE|INSTANCE|GLOB...]",
			Flags: withAppFlags(flags...),
			Action: func(c *cli.Context) error {
				op := name
				switch {
				case name == "resume":
					op = status.OpStart
				case name == "restart" && c.Bool("all-at-once"):
					op = status.OpRestartAllAtOnce
				}
				_, err := call(c, control.Request{Op: op, Target: strings.Join(c.Args().Slice(), ",")})
				return err
			},
		}
	}
	return []*cli.Command{
		{
			Name: "status", Usage: "show the processes and cron jobs of the running tend",
			Flags: withAppFlags(
				&cli.BoolFlag{Name: "json", Usage: "print JSON"},
				&cli.BoolFlag{Name: "check", Usage: "exit 0 if every process that should run runs, 1 otherwise (HEALTHCHECK)"},
				&cli.BoolFlag{Name: "cron", Usage: "with --check: also fail when a cron job has not succeeded in time"},
			),
			Action: statusAction,
		},
		target("restart", "restart a process type or instance (graceful stop, then start; one instance of a type at a time)",
			&cli.BoolFlag{Name: "all-at-once", Usage: "restart every instance named at once, not one of a type at a time"}),
		target("stop", "stop a process type or instance; the rest keeps running"),
		target("resume", "start again what `tend stop` stopped, or an exited process"),
		{
			Name: "reload", Usage: "make the running tend apply Procfile, app.json and .env changes",
			Flags: withAppFlags(),
			Action: func(c *cli.Context) error {
				_, err := call(c, control.Request{Op: status.OpReload})
				return err
			},
		},
	}
}

// call sends a request to the running tend of this app.
func call(c *cli.Context, req control.Request) (*status.Snapshot, error) {
	path, _, err := control.Resolve(flagString(c, "socket"), app.Root(loadOptions(c, nil)))
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	resp, err := control.Call(path, req)
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	if resp.Error != "" {
		return resp.Status, &exitError{code: 1, err: fmt.Errorf("%s", resp.Error)}
	}
	return resp.Status, nil
}

func statusAction(c *cli.Context) error {
	snap, err := call(c, control.Request{Op: status.OpStatus})
	if err != nil {
		return err
	}
	if c.Bool("check") {
		check := status.Processes
		if c.Bool("cron") {
			check |= status.Cron
		}
		ok, why := snap.Healthy(check, time.Now())
		fmt.Fprintln(c.App.Writer, why)
		if !ok {
			return exitCode(1)
		}
		return nil
	}
	if c.Bool("json") {
		report.WriteJSON(c.App.Writer, snap)
		return nil
	}
	report.PrintStatus(c.App.Writer, *snap, time.Now())
	return nil
}
