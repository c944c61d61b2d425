// Command tend runs a Procfile app's processes and cron jobs, as a
// development runner or as a container's init.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/zone"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	setLocal()
	os.Exit(run(context.Background(), os.Args, os.Stdout, os.Stderr))
}

// setLocal makes tend's own timestamps use the zone the C library reads
// from TZ: Go's time.Local falls back to UTC for POSIX rules (JST-9) and
// a few other forms. An unreadable TZ leaves Go's choice.
func setLocal() {
	if tz, ok := os.LookupEnv("TZ"); ok {
		if loc, err := zone.Load(tz, os.Getenv("TZDIR")); err == nil {
			time.Local = loc
		}
	}
}

// exitError carries an exit code out of a command's action.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitCode ends an action with code and no message of its own.
func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code: code}
}

// run is main without os.Exit, so tests can drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if err := applyDefaults(app); err != nil {
		fmt.Fprintf(stderr, "tend: %v\n", err)
		return 1
	}
	args = normalizeArgs(app, args)
	setUsageErrors(app, args)
	err := app.RunContext(ctx, args)
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "tend: %v\n%s\n", ue, ue.hint())
		return 2
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "tend: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "tend: %v\n", withoutEnvValue(err))
	return 2
}

// urfaveEnvError is how urfave/cli reports a TEND_* variable it cannot
// parse; its message quotes the value.
var urfaveEnvError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^could not parse ".*" as (\w+) value from environment variable "(\w+)" for flag (\S+):`)
})

// withoutEnvValue rewrites urfave/cli's error for an unparsable TEND_*
// variable so that it names the variable and not its value: tend never
// prints what the environment holds.
func withoutEnvValue(err error) error {
	m := urfaveEnvError().FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	if m[1] == "bool" {
		return fmt.Errorf("%s (for --%s) is not a boolean: want 1, true, 0 or false", m[2], m[3])
	}
	return fmt.Errorf("%s (for --%s) is not a valid %s", m[2], m[3], m[1])
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
