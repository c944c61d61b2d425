package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/cmdline"
)

func attachCommand() *cli.Command {
	return &cli.Command{
		Name: "attach", Usage: "connect this terminal to a process started with --tty (a debugger's keyboard); Ctrl-] detaches",
		ArgsUsage: "INSTANCE|TYPE",
		Flags:     withAppFlags(),
		Action:    attachAction,
	}
}

func attachAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return &cmdline.UsageError{Msg: "tend attach takes one instance (web.1) or a type with one instance", Command: "tend attach"}
	}
	return cmdline.Fail(running(c).Attach(c.Args().First(), os.Stdin, c.App.Writer, c.App.ErrWriter))
}
