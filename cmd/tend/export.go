package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
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
				return &usageError{msg: "want one FORMAT: " + strings.Join(export.Formats, ", "), command: "tend export"}
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
	if !isFormat(format) {
		return &usageError{msg: fmt.Sprintf("unknown format %q: want one of %s", format, strings.Join(export.Formats, ", ")), command: "tend export"}
	}
	opts := loadOptions(c, os.Environ())
	a, err := app.Load(opts)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	in, err := exportInput(c, a, opts, format)
	if err != nil {
		return err
	}
	out := flagString(c, "output")
	toStdout := out == "" || out == "-"
	if format != "crontab" || !toStdout {
		// A crontab on stdout names nothing, as `tend cron export` always did.
		if err := export.ValidName(in.Name); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	res, err := export.Export(format, in)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "tend: warning: %s\n", w)
	}
	if toStdout {
		if len(res.Files) != 1 {
			return &exitError{code: 2, err: fmt.Errorf("%s writes %d files: give -o DIR", format, len(res.Files))}
		}
		_, err := c.App.Writer.Write(res.Files[0].Data)
		return err
	}
	if err := export.Write(out, res.Files, c.Bool("force")); err != nil {
		return &exitError{code: 1, err: err}
	}
	for _, f := range res.Files {
		fmt.Fprintf(c.App.ErrWriter, "tend: wrote %s\n", filepath.Join(out, f.Name))
	}
	return nil
}

func isFormat(f string) bool {
	for _, name := range export.Formats {
		if f == name {
			return true
		}
	}
	return false
}

// exportInput is the app as the exporters see it, with the flags of
// tend export (-t first: its error comes before app's rules).
func exportInput(c *cli.Context, a *app.App, opts app.Options, format string) (export.App, error) {
	grace, err := parseTimeout(flagString(c, "timeout"))
	if err != nil {
		return export.App{}, err
	}
	self, err := os.Executable()
	if err != nil {
		self = "tend"
	}
	base := export.App{Name: c.String("app"), Tend: self, User: c.String("user"), Image: c.String("image"), Timeout: grace, PATH: os.Getenv("PATH")}
	in, err := export.FromApp(base, a, opts, settingsFrom(c), format)
	if err != nil {
		return export.App{}, planError(err)
	}
	return in, nil
}
