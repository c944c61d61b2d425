package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/client"
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
		return &usageError{msg: "tend attach takes one instance (web.1) or a type with one instance", command: "tend attach"}
	}
	path, err := socketPath(c)
	if err != nil {
		return err
	}
	if err := client.Attach(path, c.Args().First(), os.Stdin, c.App.Writer, c.App.ErrWriter); err != nil {
		return &exitError{code: 1, err: err}
	}
	return nil
}
