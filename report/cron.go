package report

import (
	"fmt"
	"io"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/dblock"
)

// CronEntry is one app.json cron job and its next runs.
type CronEntry struct {
	ID          string `json:"id"`
	DokkuID     string `json:"dokku_id,omitempty"`
	Schedule    string `json:"schedule"`
	Command     string `json:"command"`
	Policy      string `json:"concurrency_policy"`
	Maintenance bool   `json:"maintenance"`
	// AtStart: "@reboot", one run when tend start starts.
	AtStart  bool     `json:"at_start,omitempty"`
	Next     string   `json:"next,omitempty"`
	NextRuns []string `json:"next_runs"`
	// Lock names the job's lock in the --lock-url database.
	Lock string `json:"lock,omitempty"`
	// Suspended: `tend cron suspend` holds it (in the lock dir).
	Suspended bool `json:"suspended"`
	// Retries and Ping are what --cron-retry and --cron-ping say for it
	// (`tend check`; the ping URL up to its host).
	Retries int    `json:"retries,omitempty"`
	Ping    string `json:"ping,omitempty"`
}

// CronList lists a's cron jobs with their next n runs after now; db (if
// any) names their locks, susp (if any) says which are suspended.
func CronList(a *app.App, now time.Time, n int, db *dblock.Locker, susp cronlock.Suspender) []CronEntry {
	out := []CronEntry{}
	if a.Cron == nil {
		return out
	}
	for _, j := range a.Cron.Jobs {
		e := CronEntry{ID: j.ID, Schedule: j.Schedule.Spec, Command: j.Command, Policy: string(j.Policy), Maintenance: j.Maintenance, AtStart: j.Schedule.AtStart(), NextRuns: []string{}}
		if a.AppName != "" {
			e.DokkuID = appjson.DokkuID(a.AppName, j.Command, j.Schedule.Spec)
		}
		if db != nil && j.Policy != appjson.PolicyAllow {
			e.Lock = db.Describe(j.ID)
		}
		e.Suspended = susp != nil && susp.Suspended(j.ID)
		if !j.Maintenance {
			for _, t := range j.Schedule.NextN(now, n) {
				e.NextRuns = append(e.NextRuns, t.In(j.Schedule.Location).Format(time.RFC3339))
			}
			if len(e.NextRuns) > 0 {
				e.Next = e.NextRuns[0]
			}
		}
		out = append(out, e)
	}
	return out
}

// PrintCronList writes the list of `tend cron list`, one job a line.
func PrintCronList(w io.Writer, list []CronEntry) {
	for _, e := range list {
		next := "next " + e.Next
		switch {
		case e.Maintenance:
			next = "maintenance"
		case e.AtStart && e.Suspended:
			next = "suspended, at start"
		case e.AtStart:
			next = "at start"
		case e.Suspended:
			next = "suspended, next " + e.Next
		case e.Next == "":
			next = "never"
		}
		fmt.Fprintf(w, "%s  %-20s  %-7s  %-30s  %s\n", e.ID, e.Schedule, e.Policy, next, e.Command)
		if e.DokkuID != "" {
			fmt.Fprintf(w, "          dokku id %s\n", e.DokkuID)
		}
	}
}
