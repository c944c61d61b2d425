// Command tend runs a Procfile app's processes and cron jobs, as a
// development runner or as a container's init (tini-style: `tend ARGS...`
// runs one command).
//
// This package is flags and wiring: it defines the commands and their
// flags, reads them once into plain settings and calls the package that
// does the work. How the command line is read (the default command, exec
// mode, one-line usage errors, exit statuses) is cmdline's; the app's
// rules (formation, ports, signals, cron jobs, lock dir) are app's; `tend
// start` is startup.Run; `tend run`, exec mode and `tend cron run` are
// foreground's; `tend check` is report's; `tend export` is export's; the
// commands that talk to a running tend (status, restart, logs, attach,
// cron logs) and those that share its state (cron list, suspend, resume)
// are client's.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/zone"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	zone.SetLocal()
	os.Exit(run(context.Background(), os.Args, os.Stdout, os.Stderr))
}

// projectDefaults are the settings the project file applied (its
// warnings are printed by start and check).
var projectDefaults app.Defaults

// run is main without os.Exit, so tests can drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	var err error
	if projectDefaults, err = cmdline.ApplyDefaults(app); err != nil {
		fmt.Fprintf(stderr, "tend: %v\n", err)
		return 1
	}
	args = cmdline.Normalize(app, args)
	cmdline.SetUsageErrors(app, args)
	return cmdline.Report(app.RunContext(ctx, args), stderr)
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:    "tend",
		Usage:   "run a Procfile app's processes and cron jobs; a container init",
		Version: version,
		UsageText: "tend [options] [start] [PROCESS...]     run the formation (the default)\n" +
			"tend [options] -- COMMAND [ARGS...]      run one command (exec mode, for ENTRYPOINT)\n" +
			"tend [options] COMMAND [ARGS...]",
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           appFlags(),
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {},
		Commands: append([]*cli.Command{
			startCommand(),
			runCommand(),
			execCommand(),
			checkCommand(),
			cronCommand(),
			exportCommand(),
			logsCommand(),
			attachCommand(),
		}, controlCommands()...),
		Action: func(c *cli.Context) error {
			return cli.ShowAppHelp(c)
		},
	}
}
