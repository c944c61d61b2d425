package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/cmdline"
	"github.com/tend-run/tend/startup"
)

func startCommand() *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "run the app's formation (the default command)",
		ArgsUsage: "[PROCESS...]",
		Flags: append(withAppFlags(
			&cli.StringFlag{Name: "formation", Aliases: []string{"m"}, Usage: "instances per type, e.g. `web=2,worker=1,all=0`", EnvVars: []string{"TEND_FORMATION"}},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: "base `PORT` (default: $PORT, else 5000)"},
			timeoutFlag(),
			stopSignalFlag(),
			signalLeaderFlag(),
			cronFlags()[0], cronFlags()[1], cronFlags()[2],
			lifecycleFlags()[0], lifecycleFlags()[1], lifecycleFlags()[2],
			&cli.StringFlag{Name: "memory-sample-every", Value: "5s", Hidden: true, Usage: "how often --max-memory samples (tests)"},
			&cli.StringFlag{Name: "crash-backoff", Value: "1s", Hidden: true, Usage: "the first back-off after a crash (tests; it doubles to 30 times that)"},
			&cli.StringFlag{Name: "on-failure-every", Value: "10m", Usage: "after an --on-failure hook, count a type's further failures for `DURATION` instead of running the hook again", EnvVars: []string{"TEND_ON_FAILURE_EVERY"}},
			&cli.StringFlag{Name: "can-die", Usage: "`TYPES` that may exit without stopping the rest", EnvVars: []string{"TEND_CAN_DIE"}},
			&cli.StringFlag{Name: "exclude", Aliases: []string{"x"}, Usage: "`TYPES` not to run, e.g. worker,clock", EnvVars: []string{"TEND_EXCLUDE"}},
			afterFlag(),
			&cli.StringFlag{Name: "tty", Usage: "`TYPES` to run on a pseudo-terminal, for tend attach (a debugger's keyboard)", EnvVars: []string{"TEND_TTY"}},
			&cli.BoolFlag{Name: "release", Usage: "run the release process once first; abort if it fails"},
			&cli.BoolFlag{Name: "timestamp", Usage: "print timestamps (default: when stdout is a terminal)"},
			&cli.BoolFlag{Name: "no-timestamp", Usage: "never print timestamps"},
			&cli.BoolFlag{Name: "no-prefix", Usage: "print output lines without name prefixes"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "`text` or json (one object per line)", EnvVars: []string{"TEND_LOG_FORMAT"}},
			&cli.StringFlag{Name: "log-buffer", Value: "1MiB", Usage: "recent output kept per process for tend logs, `SIZE` (0: none)", EnvVars: []string{"TEND_LOG_BUFFER"}},
			&cli.BoolFlag{Name: "cron", Usage: "run app.json's cron jobs even where DYNO is set (Dokku runs them from the host)", EnvVars: []string{"TEND_CRON"}},
			&cli.BoolFlag{Name: "no-cron", Usage: "do not run app.json's cron jobs"},
			&cli.BoolFlag{Name: "dokku-warnings", Usage: "print where Dokku would run the app differently (default: only in a Dokku container, DYNO or DOKKU_* set)", EnvVars: []string{"TEND_DOKKU_WARNINGS"}},
			&cli.BoolFlag{Name: "watch", Usage: "reload when the Procfile, app.json or env files change (SIGHUP does too)", EnvVars: []string{"TEND_WATCH"}},
			&cli.StringSliceFlag{Name: "watch-path", Usage: "with --watch: also watch files matching `GLOB` (e.g. '**/*.go')"},
			&cli.StringFlag{Name: "history", Usage: "keep cron run history in `FILE` (JSON lines) so that it survives restarts", EnvVars: []string{"TEND_HISTORY"}},
			&cli.StringFlag{Name: "on-failure", Usage: "run `CMD` when a process or cron run fails on its own (TEND_EVENT, TEND_PROCESS, TEND_JOB_ID, TEND_EXIT_CODE, TEND_FAILURES, TEND_REASON, TEND_DURATION, TEND_OUTPUT_TAIL)", EnvVars: []string{"TEND_ON_FAILURE"}},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve the status page, /metrics, /status and /healthz on `ADDR` (e.g. 127.0.0.1:9090; a bare :9090 means loopback)", EnvVars: []string{"TEND_METRICS_ADDR"}},
			&cli.StringFlag{Name: "watch-restart", Usage: "`TYPES` to restart when a --watch-path file changes"},
		), cronContractFlags()...),
		Action: startAction,
	}
}

func afterFlag() cli.Flag {
	return &cli.StringFlag{Name: "after", Usage: "start a type once the types it names are ready, e.g. `worker=web`", EnvVars: []string{"TEND_AFTER"}}
}

func startAction(c *cli.Context) error {
	code, err := startup.Run(c.Context, startup.Start{
		Options: loadOptions(c, os.Environ()), Settings: settingsFrom(c), Only: c.Args().Slice(),
		Warnings: projectDefaults.Warnings, Version: version,
		Timeout: cmdline.String(c, "timeout"), MemorySampleEvery: cmdline.String(c, "memory-sample-every"), CrashBackoff: cmdline.String(c, "crash-backoff"),
		OnFailure: cmdline.String(c, "on-failure"), OnFailureEvery: cmdline.String(c, "on-failure-every"), LogBuffer: cmdline.String(c, "log-buffer"),
		Output:        startup.OutputSettings{Format: cmdline.String(c, "log-format"), Timestamp: c.Bool("timestamp"), NoTimestamp: c.Bool("no-timestamp"), NoPrefix: c.Bool("no-prefix")},
		DokkuWarnings: c.Bool("dokku-warnings"), Release: c.Bool("release"),
		Watch: c.Bool("watch"), WatchPaths: cmdline.Strings(c, "watch-path"), WatchRestart: cmdline.String(c, "watch-restart"),
		Socket: cmdline.String(c, "socket"), MetricsAddr: cmdline.String(c, "metrics-addr"),
	})
	if err != nil {
		return &cmdline.ExitError{Code: code, Err: err}
	}
	return cmdline.Exit(code)
}
