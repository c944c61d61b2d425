package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/proc"
)

// Logs prints what the running tend kept of the names in q (and with
// q.Follow what comes next, until SIGINT, SIGTERM or tend's exit).
func (t Tend) Logs(q control.LogQuery, stdout, stderr io.Writer) error {
	path, err := t.path()
	if err != nil {
		return err
	}
	interrupt := make(chan os.Signal, 1)
	if q.Follow {
		signal.Notify(interrupt, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(interrupt)
	}
	return control.CallLogs(path, q, stdout, stderr, interrupt)
}

// DokkuIDs turns Dokku's cron IDs among names into tend's, which the
// running tend knows, when opts.AppName says how Dokku names them (as for
// `tend cron run`). An app that does not load leaves names as they are:
// the running tend still answers for its own IDs.
func DokkuIDs(opts app.Options, names []string) []string {
	if opts.AppName == "" || len(names) == 0 {
		return names
	}
	a, err := app.Load(opts)
	if err != nil {
		return names
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if j, err := a.FindJob(n); err == nil {
			out[i] = j.ID
		}
	}
	return out
}

// ParseSince reads --since: a duration back from now, or a time in
// RFC 3339.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, errors.New("want a positive duration")
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want a duration such as 10m or a time such as %s", now.UTC().Format(time.RFC3339))
}

// ColorTerminal says whether w is a terminal that gets colours, as tend
// start decides for its own stdout.
func ColorTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && proc.IsTerminal(f) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}
