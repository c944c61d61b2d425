package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cmdline"
)

// appFlags are understood before or after any subcommand name.
func appFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "procfile", Aliases: []string{"f"}, Usage: "Procfile `PATH` (default: ./Procfile)", EnvVars: []string{"TEND_PROCFILE"}},
		&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "env `FILES`, comma-separated, later override earlier (default: .env in the app root)", EnvVars: []string{"TEND_ENV_FILES"}},
		&cli.StringFlag{Name: "app-json", Usage: "app.json `PATH` (default: app.json in the app root, if any)", EnvVars: []string{"TEND_APP_JSON"}},
		&cli.StringFlag{Name: "app-name", Usage: "Dokku app `NAME`, for Dokku's cron IDs", EnvVars: []string{"TEND_APP_NAME"}},
		&cli.StringFlag{Name: "root", Aliases: []string{"d"}, Usage: "app root `DIR` (default: the Procfile's directory)", EnvVars: []string{"TEND_ROOT"}},
		&cli.StringFlag{Name: "socket", Usage: "control socket `PATH` (default: private per-user dir, by app root)", EnvVars: []string{"TEND_SOCKET"}},
	}
}

// withAppFlags adds the app flags to a subcommand's own.
func withAppFlags(flags ...cli.Flag) []cli.Flag {
	return append(appFlags(), flags...)
}

func timeoutFlag() cli.Flag {
	return &cli.StringFlag{Name: "timeout", Aliases: []string{"t"}, Value: "30", Usage: "grace `SECONDS` (or duration: 1m30s) between the stop signal and SIGKILL", EnvVars: []string{"TEND_TIMEOUT"}}
}

func stopSignalFlag() cli.Flag {
	return &cli.StringFlag{Name: "stop-signal", Usage: "per-type stop signal, e.g. `worker=QUIT,web=TERM`", EnvVars: []string{"TEND_STOP_SIGNAL"}}
}

func signalLeaderFlag() cli.Flag {
	return &cli.StringFlag{Name: "signal-leader", Usage: "`TYPES` whose signals go to the group leader only (prefork masters)", EnvVars: []string{"TEND_SIGNAL_LEADER"}}
}

// parseTimeout reads -t: foreman's seconds ("10") or a Go duration ("1m30s").
func parseTimeout(s string) (time.Duration, error) {
	d, err := app.ParseDuration(s, true)
	if err != nil {
		return 0, &cmdline.ExitError{Code: 2, Err: fmt.Errorf("invalid --timeout: %w", err)}
	}
	return d, nil
}

// loadOptions gathers where the app's files are from the flags.
func loadOptions(c *cli.Context, environ []string) app.Options {
	opts := app.Options{
		Root:     cmdline.String(c, "root"),
		Procfile: cmdline.String(c, "procfile"),
		AppJSON:  cmdline.String(c, "app-json"),
		AppName:  cmdline.String(c, "app-name"),
		Environ:  projectDefaults.Without(environ), // .tend is tend's, not the app's
	}
	if files := cmdline.Strings(c, "env"); len(files) > 0 {
		opts.EnvFiles = files
	}
	return opts
}

// settingsFrom reads the flags that say how to run the app, once.
func settingsFrom(c *cli.Context) app.Settings {
	s := app.Settings{
		Formation:    cmdline.String(c, "formation"),
		StopSignal:   cmdline.String(c, "stop-signal"),
		SignalLeader: cmdline.String(c, "signal-leader"),
		CanDie:       cmdline.String(c, "can-die"),
		CronTimeouts: cmdline.Strings(c, "cron-timeout"),
		Cron:         c.Bool("cron"),
		NoCron:       c.Bool("no-cron"),
		LockDir:      cmdline.String(c, "lock-dir"),
		LockURL:      cmdline.String(c, "lock-url"),
		Exclude:      cmdline.String(c, "exclude"),
		After:        cmdline.String(c, "after"),
		Restart:      cmdline.Optional(c, "restart"),
		MaxMemory:    cmdline.String(c, "max-memory"),
		MaxAge:       cmdline.String(c, "max-age"),
		TTY:          cmdline.String(c, "tty"),
	}
	if c.IsSet("port") {
		s.Port, s.PortSet = c.Int("port"), true
	}
	cronContractSettings(c, &s)
	return s
}
