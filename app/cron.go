package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/spawn"
)

// DokkuCronTTL is Dokku's limit on a cron run, tend's default timeout.
const DokkuCronTTL = 24 * time.Hour

// CronTimeout is the run limit of job id from --cron-timeout: the last
// value for every job or for this one, else DokkuCronTTL.
func (s Settings) CronTimeout(id string) (time.Duration, error) {
	limit := DokkuCronTTL
	for _, v := range s.CronTimeouts {
		key, val, perJob := strings.Cut(v, "=")
		if !perJob {
			val = key
		}
		d, err := ParseDuration(val, false)
		if err == nil && d == 0 {
			err = errors.New("a run needs more than 0s")
		}
		if err != nil {
			return 0, UsageErrorf("invalid --cron-timeout: %w (ID=DURATION for one job)", err)
		}
		if !perJob || key == id {
			limit = d
		}
	}
	return limit, nil
}

// CronJobs lists the app's scheduled entries (maintenance ones excluded).
func (s Settings) CronJobs(a *App) ([]cron.Job, error) {
	if a.Cron == nil {
		return nil, nil
	}
	if err := s.CheckCronFlags(a); err != nil {
		return nil, err
	}
	var jobs []cron.Job
	for _, j := range a.Cron.Jobs {
		if j.Maintenance {
			continue
		}
		limit, err := s.CronTimeout(j.ID)
		if err != nil {
			return nil, err
		}
		retries, err := s.CronRetry(j.ID)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, cron.Job{ID: j.ID, Command: j.Command, Schedule: j.Schedule, Policy: cronlock.Policy(j.Policy), Timeout: limit,
			Retries: retries, RetryDelay: s.RetryDelay()})
	}
	return jobs, nil
}

// CronAllowed says whether this run may schedule cron jobs at all: not
// with --no-cron, and inside a platform container (DYNO set: Dokku runs
// app.json's cron from the host) only with --cron.
func (s Settings) CronAllowed(a *App) bool {
	_, dyno := a.Env.Get("DYNO")
	return !s.NoCron && (!dyno || s.Cron)
}

// ScheduledJobs are the cron jobs `tend start` runs, and how many it
// leaves to the platform because DYNO is set (reported by the caller).
func (s Settings) ScheduledJobs(a *App) (jobs []cron.Job, withheld int, err error) {
	jobs, err = s.CronJobs(a)
	if err != nil || len(jobs) == 0 || s.NoCron {
		return nil, 0, err
	}
	if _, set := a.Env.Get("DYNO"); set && !s.Cron {
		return nil, len(jobs), nil
	}
	return jobs, 0, nil
}

// LockDirPath is --lock-dir, or the private per-user directory of the app
// root, which `tend start` and `tend cron run` on one machine share.
func (s Settings) LockDirPath(root string) (string, error) {
	if s.LockDir != "" {
		return s.LockDir, nil
	}
	private, err := privdir.Find(privdir.Candidates(), nil)
	if err != nil {
		return "", fmt.Errorf("lock dir: %w; or choose one with --lock-dir", err)
	}
	key, err := privdir.AppKey(root)
	if err != nil {
		return "", fmt.Errorf("lock dir: %w", err)
	}
	return filepath.Join(private, "locks-"+key), nil
}

// ExpandCommand expands a first word naming a Procfile type into that
// type's command, as Dokku does for cron commands.
func (a *App) ExpandCommand(command string) string {
	first, rest, _ := strings.Cut(strings.TrimSpace(command), " ")
	if p, ok := a.Process(first); ok {
		return strings.TrimSpace(p.Command + " " + rest)
	}
	return command
}

// CronEnv is a run's environment: the app's, PS and DYNO, and what the
// job may want to know about its budget. attempt numbers the attempts of
// one due time (1, then 2… for --cron-retry).
func (a *App) CronEnv(id string, scheduled, deadline time.Time, attempt int) []string {
	return spawn.WithEnv(a.Env.Environ(), "PS=cron."+id, "DYNO=cron."+id,
		"TEND_CRON_ID="+id,
		"TEND_CRON_SCHEDULED_AT="+scheduled.Format(time.RFC3339),
		"TEND_CRON_DEADLINE="+deadline.Format(time.RFC3339),
		"TEND_CRON_ATTEMPT="+strconv.Itoa(max(attempt, 1)))
}

// FindJob finds a job by short ID or, with an app name, Dokku's ID.
func (a *App) FindJob(id string) (appjson.Job, error) {
	if a.Cron != nil {
		for _, j := range a.Cron.Jobs {
			if j.ID == id || (a.AppName != "" && appjson.DokkuID(a.AppName, j.Command, j.Schedule.Spec) == id) {
				return j, nil
			}
		}
	}
	var known []string
	if a.Cron != nil {
		for _, j := range a.Cron.Jobs {
			known = append(known, fmt.Sprintf("%s (%s)", j.ID, j.Command))
		}
	}
	if len(known) == 0 {
		return appjson.Job{}, fmt.Errorf("no cron job %q: the app has no cron entries", id)
	}
	return appjson.Job{}, fmt.Errorf("no cron job %q; known: %s", id, strings.Join(known, ", "))
}

// MatchDokkuCron finds the entry Dokku's cron started this container for:
// Dokku splits the command into words and passes them as arguments.
func (a *App) MatchDokkuCron(args []string) (appjson.Job, bool) {
	if a.Cron == nil {
		return appjson.Job{}, false
	}
	joined := strings.Join(args, " ")
	for _, j := range a.Cron.Jobs {
		if strings.Join(strings.Fields(j.Command), " ") == joined {
			return j, true
		}
	}
	return appjson.Job{}, false
}

// DynoType is the process type of the container tend runs in, from DYNO
// ("worker.1" → "worker"), for the per-type settings.
func (a *App) DynoType() string {
	dyno, _ := a.Env.Get("DYNO")
	typ, _, _ := strings.Cut(dyno, ".")
	return typ
}
