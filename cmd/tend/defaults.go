package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
)

// projectDefaults are the settings the project file applied (for check).
var projectDefaults app.Defaults

// applyDefaults reads the project file (.tend, or TEND_CONFIG) and sets the
// TEND_* settings it gives that the environment does not, before the flags
// are read: a flag beats the real environment, which beats the file.
func applyDefaults(a *cli.App) error {
	path, required := os.Getenv("TEND_CONFIG"), true
	if path == "" {
		path, required = app.ProjectFile, false
	}
	d, err := app.LoadDefaults(path, required, settingNames(a), os.Environ())
	if err != nil {
		return err
	}
	for k, v := range d.Set {
		os.Setenv(k, v)
	}
	projectDefaults = d // its warnings are printed by start and check
	return nil
}

// settingNames are the TEND_* variables of every flag of every command.
func settingNames(a *cli.App) []string {
	var names []string
	add := func(flags []cli.Flag) {
		for _, f := range flags {
			if e, ok := f.(interface{ GetEnvVars() []string }); ok {
				names = append(names, e.GetEnvVars()...)
			}
		}
	}
	add(a.Flags)
	var walk func([]*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			add(c.Flags)
			walk(c.Subcommands)
		}
	}
	walk(a.Commands)
	return names
}
