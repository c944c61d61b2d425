package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/export"
)

func exportFlags() []cli.Flag {
	return withAppFlags(append(cronFlags(),
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the files into `DIR` (\"-\" or none: stdout, for one-file formats)"},
		&cli.StringFlag{Name: "app", Usage: "`NAME` prefixing units, programs and objects (default: --app-name, else the app root's name)"},
		&cli.StringFlag{Name: "user", Usage: "`USER` the processes run as (crontab: the user field of /etc/cron.d)"},
		&cli.StringFlag{Name: "image", Usage: "container `IMAGE` (kubernetes)"},
		&cli.BoolFlag{Name: "force", Usage: "overwrite files that exist"},
		&cli.StringFlag{Name: "cron-catch-up", Usage: "a run missed within `DURATION` still starts late: systemd Persistent=, Kubernetes startingDeadlineSeconds", EnvVars: []string{"TEND_CRON_CATCH_UP"}},
		&cli.StringFlag{Name: "formation", Aliases: []string{"m"}, Usage: "instances per type, e.g. `web=2,worker=1,all=0`", EnvVars: []string{"TEND_FORMATION"}},
		&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: "base `PORT` (default: $PORT, else 5000)"},
		timeoutFlag(),
		stopSignalFlag(),
	)...)
}

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write the app as systemd units, a supervisord config, Kubernetes objects or a crontab",
		ArgsUsage: "FORMAT (" + strings.Join(export.Formats, ", ") + ")",
		Flags:     exportFlags(),
		Action: func(c *cli.Context) error {
			if c.Args().Len() != 1 {
				return &cmdline.UsageError{Msg: "want one FORMAT: " + strings.Join(export.Formats, ", "), Command: "tend export"}
			}
			return exportAction(c, c.Args().First())
		},
	}
}

// cronExportAction is `tend cron export`, an alias of `tend export crontab`.
func cronExportAction(c *cli.Context) error {
	return exportAction(c, "crontab")
}

func exportAction(c *cli.Context, format string) error {
	if !slices.Contains(export.Formats, format) {
		return &cmdline.UsageError{Msg: fmt.Sprintf("unknown format %q: want one of %s", format, strings.Join(export.Formats, ", ")), Command: "tend export"}
	}
	data, err := export.Command{Format: format, Options: loadOptions(c, os.Environ()), Settings: settingsFrom(c),
		Name: c.String("app"), User: c.String("user"), Image: c.String("image"), Timeout: cmdline.String(c, "timeout"),
		Dir: cmdline.String(c, "output"), Force: c.Bool("force")}.Run(c.App.ErrWriter)
	if err != nil {
		return cmdline.AppError(err)
	}
	_, err = c.App.Writer.Write(data)
	return err
}
