package main

import (
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/report"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "validate the Procfile, app.json and env files and print a summary",
		Flags: append(withAppFlags(&cli.BoolFlag{Name: "json", Usage: "print the summary as JSON"}, cronFlags()[1], afterFlag(), lifecycleFlags()[0], lifecycleFlags()[1], lifecycleFlags()[2],
			&cli.BoolFlag{Name: "connect", Usage: "with --lock-url: connect, take and release a lock, and print the server's version"}, checkHistoryFlag()), cronContractFlags()...),
		Action: checkAction,
	}
}

func checkAction(c *cli.Context) error {
	a, err := app.Load(loadOptions(c, os.Environ()))
	if err != nil {
		if c.Bool("json") {
			report.WriteJSON(c.App.Writer, report.Failed(err))
		} else {
			fmt.Fprintln(c.App.ErrWriter, err)
		}
		return cmdline.Exit(1)
	}
	r, err := report.BuildCheck(settingsFrom(c), a, time.Now(), c.Bool("connect"))
	if err != nil {
		return cmdline.AppError(err)
	}
	r.Defaults, r.DefaultsFile = projectDefaults.Names(), projectDefaults.Path
	r.Warnings = append(r.Warnings, projectDefaults.Warnings...)
	if c.Bool("json") {
		report.WriteJSON(c.App.Writer, r)
		return nil
	}
	report.PrintCheck(c.App.Writer, r)
	return nil
}
