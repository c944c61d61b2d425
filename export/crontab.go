package export

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Crontab is `tend cron export`: crontab lines that run each job with
// `tend cron run ID` from the app root, with the user field of /etc/cron.d
// when a.User is set. What a crontab cannot run (@every, a time zone
// prefix system cron ignores, maintenance) is a comment, and a warning.
// Its output is exactly what `tend cron export` has always written.
func Crontab(a App) Result {
	var r Result
	var w bytes.Buffer
	fmt.Fprintf(&w, "# tend cron jobs of %s\n", a.Root)
	w.WriteString(r.lockURLLeftOut(a, "#", "add a TEND_LOCK_URL=... line above the jobs, in a crontab only its user can read"))
	fmt.Fprintf(&w, "PATH=%s\n", a.PATH)
	user := a.User
	if user != "" {
		user += " "
	}
	for _, j := range a.Cron {
		_, every := j.Schedule.Every()
		switch {
		case j.Maintenance:
			fmt.Fprintf(&w, "# %s (%s): in maintenance\n", j.ID, j.Command)
		case every:
			fmt.Fprintf(&w, "# %s (%s): %q cannot be expressed in a crontab\n", j.ID, j.Command, j.Schedule.Spec)
			r.warn("cron %s: %q cannot be expressed in a crontab: left out (systemd's export turns it into a timer)", j.ID, j.Schedule.Spec)
		case j.Schedule.Zoned:
			fmt.Fprintf(&w, "# %s (%s): %q has a time zone prefix, which system cron ignores\n", j.ID, j.Command, j.Schedule.Spec)
			r.warn("cron %s: %q has a time zone prefix, which system cron ignores: left out", j.ID, j.Schedule.Spec)
		default:
			line := fmt.Sprintf("cd %s && %s cron run %s", ShellQuote(a.Root), ShellQuote(a.Tend), j.ID)
			fmt.Fprintf(&w, "%s %s%s\n", j.Schedule.Spec, user, strings.ReplaceAll(line, "%", `\%`))
		}
	}
	// /etc/cron.d skips file names with a dot: the file is the app name.
	r.Files = []File{{Name: a.Name, Data: w.Bytes()}}
	return r
}

// ShellQuote quotes s for /bin/sh when it has more than letters, digits
// and /._-.
func ShellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !slices.Contains([]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-"), r)
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
