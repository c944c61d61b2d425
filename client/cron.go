package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

// CronLogsOptions are the flags of `tend cron logs`.
type CronLogsOptions struct {
	Socket  string // --socket ("": the private default)
	History string // the history file to read when no tend is running
	Run     int    // the N-th last run, 1 or more
	Failed  bool   // count only runs that failed
	JSON    bool
}

// pastRun is a run as `tend cron logs --json` prints it.
type pastRun struct {
	history.Run
	Ended time.Time `json:"ended"`
}

// CronLogs prints a past run of the job id (Dokku's IDs too) of the app
// opts loads to w: the running tend's, else the history file's.
func CronLogs(opts app.Options, id string, o CronLogsOptions, w io.Writer) error {
	a, err := app.Load(opts)
	if err != nil {
		return err
	}
	job, err := a.FindJob(id)
	if err != nil {
		return err
	}
	runs, from, err := pastRuns(o.Socket, a.Root, job.ID, o.History)
	if err != nil {
		return err
	}
	var picked []history.Run
	for _, r := range runs {
		if !r.Skipped() && (!o.Failed || !r.Success()) {
			picked = append(picked, r)
		}
	}
	if len(picked) < o.Run {
		what := map[bool]string{true: "failed runs", false: "runs"}[o.Failed]
		return fmt.Errorf("cron.%s: %d %s kept (%s), no run %d", job.ID, len(picked), what, from, o.Run)
	}
	r := picked[len(picked)-o.Run]
	if o.JSON {
		report.WriteJSON(w, pastRun{Run: r, Ended: r.Started.Add(r.Duration)})
		return nil
	}
	printPastRun(w, r)
	return nil
}

// printPastRun writes a run's header line and its output.
func printPastRun(w io.Writer, r history.Run) {
	head := fmt.Sprintf("cron.%s: started %s, ended %s, %s (exit status %d)", r.Job, r.Started.Format(time.RFC3339), r.Started.Add(r.Duration).Format(time.RFC3339), r.Outcome, r.ExitCode)
	if r.Attempt > 0 {
		head += fmt.Sprintf(", attempt %d", r.Attempt)
	}
	fmt.Fprintln(w, head)
	if r.Output == "" {
		fmt.Fprintln(w, "(no output kept)")
		return
	}
	fmt.Fprint(w, r.Output)
	if !strings.HasSuffix(r.Output, "\n") {
		fmt.Fprintln(w)
	}
}

// pastRuns are the kept runs of job, oldest first: the running tend's,
// else those of the history file; from says which.
func pastRuns(socket, root, job, file string) (runs []history.Run, from string, err error) {
	path, _, err := control.Resolve(socket, root)
	if err == nil {
		resp, cerr := control.Call(path, control.Request{Op: status.OpCronRuns, Target: job})
		switch {
		case cerr == nil && resp.Error == "" && resp.Status != nil:
			return resp.Status.CronRuns, "in the running tend", nil
		case cerr == nil && resp.Error != "":
			return nil, "", fmt.Errorf("the running tend: %s", resp.Error)
		case !errors.Is(cerr, control.ErrNotRunning):
			return nil, "", cerr
		}
	} else if !privdir.NoPlace(err) {
		return nil, "", err
	}
	if file == "" {
		return nil, "", fmt.Errorf("no tend is running for this app, and no --history file (TEND_HISTORY) to read past runs from")
	}
	if _, err := os.Stat(file); err != nil {
		return nil, "", fmt.Errorf("--history %s: %w", file, err)
	}
	store, err := history.Open(file)
	if err != nil {
		return nil, "", err
	}
	defer store.Close()
	return store.Runs(job), "in " + file, nil
}

// Suspend suspends (or with suspend false resumes) the jobs ids of the
// app opts loads, or with all every job, where every tend sharing the lock
// dir or the --lock-url database obeys it; each change is a line on w.
func Suspend(opts app.Options, s app.Settings, ids []string, all, suspend bool, w io.Writer) error {
	verb := map[bool]string{true: "suspend", false: "resume"}[suspend]
	a, err := app.Load(opts)
	if err != nil {
		return err
	}
	jobs, err := cronJobs(a, ids, all)
	if err != nil {
		return err
	}
	d, closeStore, err := s.OpenSuspensions(a, nil)
	if err == nil && d == nil {
		err = fmt.Errorf("no lock dir to keep it in: choose one with --lock-dir")
	}
	if err != nil {
		return fmt.Errorf("cron %s: %w", verb, err)
	}
	defer closeStore()
	for _, j := range jobs {
		if suspend {
			err = d.Suspend(j.ID)
		} else {
			err = d.Resume(j.ID)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "cron.%s %s (%s)\n", j.ID, map[bool]string{true: "suspended", false: "resumed"}[suspend], j.Command)
	}
	if len(jobs) == 0 {
		fmt.Fprintf(w, "no cron jobs to %s\n", verb)
	}
	return nil
}

// cronJobs are the jobs ids names (or all of them); every unknown ID is
// a line of the error.
func cronJobs(a *app.App, ids []string, all bool) ([]appjson.Job, error) {
	if all {
		if a.Cron == nil {
			return nil, nil
		}
		return a.Cron.Jobs, nil
	}
	var jobs []appjson.Job
	var unknown []string
	for _, id := range ids {
		j, err := a.FindJob(id)
		if err != nil {
			unknown = append(unknown, err.Error())
			continue
		}
		jobs = append(jobs, j)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(unknown, "\n"))
	}
	return jobs, nil
}

// CronList prints the cron jobs of the app opts loads and their next runs
// to w, with what the --lock-url database and the suspensions say of them.
func CronList(opts app.Options, s app.Settings, asJSON bool, w io.Writer) error {
	a, err := app.Load(opts)
	if err != nil {
		return err
	}
	db, err := s.OpenLockURL(a, nil)
	if err != nil {
		return err
	}
	susp, closeSusp, err := s.OpenSuspensions(a, nil)
	if err != nil {
		return err
	}
	defer closeSusp()
	var suspended cronlock.Suspender
	if susp != nil {
		suspended = susp
	}
	list := report.CronList(a, time.Now(), 1, db, suspended)
	if asJSON {
		report.WriteJSON(w, list)
		return nil
	}
	report.PrintCronList(w, list)
	return nil
}
