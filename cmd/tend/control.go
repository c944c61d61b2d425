package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/client"
	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/control"
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
				return call(c, control.Request{Op: op, Target: strings.Join(c.Args().Slice(), ",")})
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
				return call(c, control.Request{Op: status.OpReload})
			},
		},
	}
}

// running is the running tend of this app.
func running(c *cli.Context) client.Tend {
	return client.Tend{Socket: cmdline.String(c, "socket"), Root: app.Root(loadOptions(c, nil))}
}

// call sends a request to the running tend of this app.
func call(c *cli.Context, req control.Request) error {
	_, err := running(c).Call(req)
	return cmdline.Fail(err)
}

func statusAction(c *cli.Context) error {
	healthy, err := running(c).Status(client.StatusOptions{JSON: c.Bool("json"), Check: c.Bool("check"), Cron: c.Bool("cron")}, c.App.Writer)
	if err == nil && !healthy {
		return cmdline.Exit(1)
	}
	return cmdline.Fail(err)
}
