package main

import (
	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cmdline"
)

// Issue 15's flags of `tend start` (and `tend check`, which judges them):
// retries. Kept apart from the other flags' files.

func cronContractFlags() []cli.Flag {
	return append(cronRetryFlags(), []cli.Flag{
		cronPingFlag(),
		&cli.StringFlag{Name: "cron-log-size", Usage: "output kept per cron run for tend cron logs, `SIZE` (default 16KiB; 0: none)", EnvVars: []string{"TEND_CRON_LOG_SIZE"}},
		&cli.StringFlag{Name: "cron-catch-up", Usage: "at start, run once a job whose last due time within `DURATION` was missed while tend was not running (needs --history)", EnvVars: []string{"TEND_CRON_CATCH_UP"}},
	}...)
}

// cronContractSettings adds what cronContractFlags say to s.
func cronContractSettings(c *cli.Context, s *app.Settings) {
	s.CronRetries = cmdline.Strings(c, "cron-retry")
	s.CronLogSize = cmdline.String(c, "cron-log-size")
	s.CronCatchUp = cmdline.String(c, "cron-catch-up")
	s.History = cmdline.String(c, "history")
	if ctx, ok := cmdline.Lookup(c, "cron-ping"); ok {
		s.CronPings = ctx.StringSlice("cron-ping") // URLs may hold commas: not split
	}
	if ctx, ok := cmdline.Lookup(c, "cron-retry-delay"); ok {
		s.CronRetryDelay = ctx.Duration("cron-retry-delay")
	}
}

// checkHistoryFlag is --history for `tend check`, which judges
// --cron-catch-up by it.
func checkHistoryFlag() cli.Flag {
	return &cli.StringFlag{Name: "history", Usage: "the cron history `FILE` tend start would keep", EnvVars: []string{"TEND_HISTORY"}}
}

// cronPingFlag is --cron-ping, also for `tend cron run` and exec mode
// (Dokku's cron containers), which ping as tend start does.
func cronPingFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "cron-ping", Usage: "ping `URL` (or ID=URL) when a cron run starts (/start) and ends (success, /N exit status, /fail), healthchecks.io style; {id} is the job ID", EnvVars: []string{"TEND_CRON_PING"}}
}

// cronRetryFlags are --cron-retry and the hidden --cron-retry-delay (the
// first retry's delay, for tests), also for `tend cron run` and exec mode.
func cronRetryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "cron-retry", Usage: "retry a failed cron run: `N` times for all, or ID=N per job (10s, doubling, never past the next run)", EnvVars: []string{"TEND_CRON_RETRY"}},
		&cli.DurationFlag{Name: "cron-retry-delay", Hidden: true},
	}
}
