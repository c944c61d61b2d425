package export

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/formation"
	"github.com/tend-run/tend/spec"
)

// FromApp gathers what the exporters need from a loaded app (with the
// options it was loaded with) and the settings: the formation with tend
// start's ports, the per-type stop signals, the cron timeouts, and the
// flags every exported tend command repeats. base carries the rest (Tend,
// User, Image, Timeout, PATH); an empty base.Name becomes the app name,
// else the app root's base name. An error of app's rules comes back as it
// is (app.UsageError for a flag value).
func FromApp(base App, a *app.App, opts app.Options, s app.Settings, format string) (App, error) {
	var specs []spec.Instance
	var err error
	if format != "crontab" { // a crontab runs no processes: -m and PORT do not matter
		if specs, err = formation.Instances(s, a, nil, nil); err != nil {
			return App{}, err
		}
	}
	sigs, err := s.StopSignals()
	if err != nil {
		return App{}, err
	}
	in := base
	if in.Name == "" {
		in.Name = a.LockApp() // --app-name, else the root's name
	}
	in.Root, in.Flags = a.Root, tendFlags(a, opts, s.LockDir)
	in.LockURL = s.LockURL != ""
	if s.CronCatchUp != "" {
		if in.CatchUp, err = app.ParseDuration(s.CronCatchUp, false); err != nil {
			return App{}, &app.UsageError{Err: fmt.Errorf("invalid --cron-catch-up: %w", err)}
		}
	}
	for _, p := range a.Processes {
		t := Type{Name: p.Name, Command: p.Command, StopSignal: sigs[p.Name], Checks: a.Healthchecks(p.Name)}
		for _, spec := range specs {
			if spec.Type == p.Name {
				t.Ports = append(t.Ports, spec.Port)
			}
		}
		in.Types = append(in.Types, t)
	}
	if a.Cron != nil {
		in.Source = a.AppJSONPath
		for _, j := range a.Cron.Jobs {
			limit, err := s.CronTimeout(j.ID)
			if err != nil {
				return App{}, err
			}
			in.Cron = append(in.Cron, CronJob{
				ID: j.ID, Command: j.Command, Schedule: j.Schedule, Policy: j.Policy,
				Maintenance: j.Maintenance, Timeout: limit, StopSignal: sigs["cron"], Line: j.Line,
			})
		}
	}
	return in, nil
}

// tendFlags are the flags that make an exported tend command find the
// same files: absolute, since the scheduler starts it elsewhere.
func tendFlags(a *app.App, opts app.Options, lockDir string) []string {
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
	if lockDir != "" {
		out = append(out, "--lock-dir", abs(lockDir))
	}
	return out
}
