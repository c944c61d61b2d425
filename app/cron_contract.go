package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tend-run/tend/ping"
)

// The settings of issue 15's cron contract: retries (and, per job, the
// IDs they name).

// DefaultRetryDelay is the wait before a failed run's first retry; it
// doubles after each.
const DefaultRetryDelay = 10 * time.Second

// MaxRetries bounds --cron-retry.
const MaxRetries = 100

// CronRetry is the number of retries of job id from --cron-retry: the last
// value for every job or for this one, else 0.
func (s Settings) CronRetry(id string) (int, error) {
	n := 0
	for _, v := range s.CronRetries {
		key, val, perJob := strings.Cut(v, "=")
		if !perJob {
			val = key
		}
		r, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || r < 0 || r > MaxRetries {
			return 0, UsageErrorf("invalid --cron-retry %s: want a number of retries from 0 to %d (N for all jobs, ID=N for one)", v, MaxRetries)
		}
		if !perJob || key == id {
			n = r
		}
	}
	return n, nil
}

// RetryDelay is the wait before a first retry (the hidden
// --cron-retry-delay, for tests; else DefaultRetryDelay).
func (s Settings) RetryDelay() time.Duration {
	if s.CronRetryDelay > 0 {
		return s.CronRetryDelay
	}
	return DefaultRetryDelay
}

// CheckCronFlags checks what the cron flags say before anything starts:
// their values, and that every ID=… names a job of the app (its short ID,
// or Dokku's with --app-name).
func (s Settings) CheckCronFlags(a *App) error {
	if _, err := s.CronRetry(""); err != nil {
		return err
	}
	if _, err := s.LogSize(); err != nil {
		return err
	}
	if _, err := s.CatchUp(); err != nil {
		return err
	}
	pingIDs := []string{}
	for _, v := range s.CronPings {
		id, _, err := pingValue(v, "x")
		if err != nil {
			return err
		}
		if id != "" {
			pingIDs = append(pingIDs, id+"=")
		}
	}
	for flag, values := range map[string][]string{"--cron-retry": s.CronRetries, "--cron-timeout": s.CronTimeouts, "--cron-ping": pingIDs} {
		for _, v := range values {
			id, _, perJob := strings.Cut(v, "=")
			if !perJob {
				continue
			}
			j, err := a.FindJob(strings.TrimSpace(id))
			if err != nil {
				return UsageErrorf("%s %s: %w", flag, v, err)
			}
			if j.ID != id {
				return UsageErrorf("%s %s: name the job by tend's ID, %s", flag, v, j.ID)
			}
		}
	}
	return nil
}

// DefaultCronLogSize is --cron-log-size's default: the output kept per run.
const DefaultCronLogSize = 16 << 10

// MaxCronLogSize bounds --cron-log-size: each of a job's 50 kept runs
// holds this much in memory (the history file's lines hold under 64 KiB).
const MaxCronLogSize = 1 << 20

// LogSize reads --cron-log-size (DefaultCronLogSize when unset).
func (s Settings) LogSize() (int, error) {
	if s.CronLogSize == "" {
		return DefaultCronLogSize, nil
	}
	n, err := ParseSize(s.CronLogSize)
	if err == nil && n > MaxCronLogSize {
		err = fmt.Errorf("want at most %d bytes (1 MiB)", MaxCronLogSize)
	}
	if err != nil {
		return 0, UsageErrorf("invalid --cron-log-size: %w", err)
	}
	return n, nil
}

// pingValue reads one --cron-ping value for job id: "URL" (every job) or
// "ID=URL" (one job; a URL's own "=" comes after its "://"), with {id} in
// the URL replaced by id. forID is "" for a value for every job.
func pingValue(v, id string) (forID string, u *url.URL, err error) {
	raw := v
	if key, rest, ok := strings.Cut(v, "="); ok && !strings.ContainsAny(key, ":/") {
		forID, raw = strings.TrimSpace(key), rest
	}
	u, err = ping.Parse(strings.ReplaceAll(strings.TrimSpace(raw), "{id}", id))
	if err != nil {
		return "", nil, UsageErrorf("invalid --cron-ping %s: %w", redactedPing(v), err)
	}
	return forID, u, nil
}

// redactedPing is a --cron-ping value as messages show it: up to its host.
func redactedPing(v string) string {
	if i := strings.Index(v, "://"); i >= 0 {
		if j := strings.IndexByte(v[i+3:], '/'); j >= 0 {
			return v[:i+3+j] + "/…"
		}
	}
	return v
}

// CronPing is job id's ping URL from --cron-ping (the last value for every
// job or for this one), nil for none.
func (s Settings) CronPing(id string) (*url.URL, error) {
	var out *url.URL
	for _, v := range s.CronPings {
		forID, u, err := pingValue(v, id)
		if err != nil {
			return nil, err
		}
		if forID == "" || forID == id {
			out = u
		}
	}
	return out, nil
}

// CatchUp reads --cron-catch-up (0: off); it needs --history, which
// tells what ran while tend was not running.
func (s Settings) CatchUp() (time.Duration, error) {
	if s.CronCatchUp == "" {
		return 0, nil
	}
	d, err := ParseDuration(s.CronCatchUp, false)
	if err != nil {
		return 0, UsageErrorf("invalid --cron-catch-up: %w", err)
	}
	if d > 0 && s.History == "" {
		return 0, UsageErrorf("--cron-catch-up needs --history FILE (TEND_HISTORY): the history says which runs were missed")
	}
	return d, nil
}
