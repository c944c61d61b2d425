package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/foreground"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run one command with the app's environment, as a one-off run.N dyno",
		ArgsUsage: "[--] COMMAND [ARGS...]",
		Description: "Options go before COMMAND: from COMMAND on, every word is the command's.\n" +
			"A COMMAND naming a Procfile type runs that type's command with ARGS appended.\n" +
			"One argument with spaces or shell syntax runs under /bin/sh -c; several arguments\n" +
			"are executed directly, unless one is a shell operator (&& || | ; > >> <).\n" +
			"PS and DYNO are set to run.N (N random, as Dokku does) unless DYNO is set.",
		Flags: runFlags(),
		Action: func(c *cli.Context) error {
			return runAction(c, true)
		},
	}
}

// execCommand is exec mode: run without the one-off dyno's name, since
// here tend is a container's init and the platform names the container.
func execCommand() *cli.Command {
	return &cli.Command{
		Name:   cmdline.ExecCommand,
		Hidden: true,
		Flags:  runFlags(),
		Action: func(c *cli.Context) error {
			return runAction(c, false)
		},
	}
}

func runFlags() []cli.Flag {
	return withAppFlags(append(cronFlags(), timeoutFlag(), stopSignalFlag(), signalLeaderFlag(), cronPingFlag(), cronRetryFlags()[0], cronRetryFlags()[1])...)
}

// runAction runs the command in c's arguments; oneOff names it a one-off
// dyno (DYNO=run.N), as `heroku run` and `dokku run` do, unless the
// caller set DYNO.
func runAction(c *cli.Context, oneOff bool) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		return &cmdline.UsageError{Msg: "missing COMMAND", Command: "tend run"}
	}
	opts := loadOptions(c, os.Environ())
	opts.Lenient = true // a broken Procfile must not block `dokku run app bash`
	a, err := app.Load(opts)
	if err != nil {
		return cmdline.Fail(err)
	}
	timeout, err := parseTimeout(cmdline.String(c, "timeout"))
	if err != nil {
		return err
	}
	return cmdline.Ended(foreground.Command{Settings: settingsFrom(c), App: a, Args: args, OneOff: oneOff, Grace: timeout,
		Stdout: c.App.Writer, Stderr: c.App.ErrWriter}.Run())
}
