package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/export"
	"github.com/tend-run/tend/runner"
)

func exportFlags() []cli.Flag {
	return withAppFlags(append(cronFlags(),
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the files into `DIR` (\"-\" or none: stdout, for one-file formats)"},
		&cli.StringFlag{Name: "app", Usage: "`NAME` prefixing units, programs and objects (default: --app-name, else the app root's name)"},
		&cli.StringFlag{Name: "user", Usage: "`USER` the processes run as (crontab: the user field of /etc/cron.d)"},
		&cli.StringFlag{Name: "image", Usage: "container `IMAGE` (kubernetes)"},
		&cli.BoolFlag{Name: "force", Usage: "overwrite files that exist"},
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

// exportInput gathers what the exporters need from the app and the flags:
// the formation with tend start's ports, the per-type stop signals, -t,
// the cron timeouts, and the flags every exported tend command repeats.
func exportInput(c *cli.Context, a *app.App, opts app.Options, format string) (export.App, error) {
	grace, err := parseTimeout(flagString(c, "timeout"))
	if err != nil {
		return export.App{}, err
	}
	settings := settingsFrom(c)
	var specs []runner.InstanceSpec
	if format != "crontab" { // a crontab runs no processes: -m and PORT do not matter
		if specs, err = settings.Instances(a, nil, nil); err != nil {
			return export.App{}, planError(err)
		}
	}
	sigs, err := settings.StopSignals()
	if err != nil {
		return export.App{}, planError(err)
	}
	self, err := os.Executable()
	if err != nil {
		self = "tend"
	}
	in := export.App{
		Name: exportName(c, a), Root: a.Root, Tend: self,
		User: c.String("user"), Image: c.String("image"),
		Timeout: grace, PATH: os.Getenv("PATH"), Flags: tendFlags(c, a, opts),
	}
	for _, p := range a.Processes {
		t := export.Type{Name: p.Name, Command: p.Command, StopSignal: sigs[p.Name]}
		for _, s := range specs {
			if s.Type == p.Name {
				t.Ports = append(t.Ports, s.Port)
			}
		}
		in.Types = append(in.Types, t)
	}
	if a.Cron != nil {
		in.Source = a.AppJSONPath
		for _, j := range a.Cron.Jobs {
			limit, err := settings.CronTimeout(j.ID)
			if err != nil {
				return export.App{}, planError(err)
			}
			in.Cron = append(in.Cron, export.CronJob{
				ID: j.ID, Command: j.Command, Schedule: j.Schedule, Policy: j.Policy,
				Maintenance: j.Maintenance, Timeout: limit, StopSignal: sigs["cron"], Line: j.Line,
			})
		}
	}
	return in, nil
}

// exportName is --app, else --app-name, else the app root's base name.
func exportName(c *cli.Context, a *app.App) string {
	if n := c.String("app"); n != "" {
		return n
	}
	if a.AppName != "" {
		return a.AppName
	}
	return filepath.Base(a.Root)
}

// tendFlags are the flags that make an exported tend command find the
// same files: absolute, since the scheduler starts it elsewhere.
func tendFlags(c *cli.Context, a *app.App, opts app.Options) []string {
	abs := func(p string) string {
		if q, err := filepath.Abs(p); err == nil {
			return q
		}
		return p
	}
	var out []string
	if !a.NoProcfile {
		out = append(out, "-f", abs(a.ProcfilePath))
	}
	out = append(out, "-d", a.Root)
	if opts.AppJSON != "" {
		out = append(out, "--app-json", abs(opts.AppJSON))
	}
	if opts.EnvFiles != nil {
		var files []string
		for _, f := range opts.EnvFiles {
			files = append(files, abs(f))
		}
		out = append(out, "-e", strings.Join(files, ","))
	}
	if a.AppName != "" {
		out = append(out, "--app-name", a.AppName)
	}
	if d := flagString(c, "lock-dir"); d != "" {
		out = append(out, "--lock-dir", abs(d))
	}
	return out
}
