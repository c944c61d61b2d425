package cmdline

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
)

// ApplyDefaults reads the project file (.tend, or TEND_CONFIG) and sets
// the TEND_* settings of a's flags it gives that the environment does
// not, before the flags are read: a flag beats the real environment,
// which beats the file. It returns what the file applied.
func ApplyDefaults(a *cli.App) (app.Defaults, error) {
	path, required := os.Getenv("TEND_CONFIG"), true
	if path == "" {
		path, required = app.ProjectFile, false
	}
	d, err := app.LoadDefaults(path, required, EnvVars(a), os.Environ())
	if err != nil {
		return d, err
	}
	for k, v := range d.Set {
		os.Setenv(k, v)
	}
	return d, nil
}
