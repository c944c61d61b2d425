package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cmdline"
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
	d, err := app.LoadDefaults(path, required, cmdline.EnvVars(a), os.Environ())
	if err != nil {
		return err
	}
	for k, v := range d.Set {
		os.Setenv(k, v)
	}
	projectDefaults = d // its warnings are printed by start and check
	return nil
}
