package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

// Issue 15, item 6: the output of past runs, from the running tend or,
// when none runs, from the history file.

func cronLogsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "the output of a job's last run (or N-th last, or last failed), with its start, end, status and attempt", ArgsUsage: "ID",
		Flags: withAppFlags(
			&cli.IntFlag{Name: "run", Value: 1, Usage: "the `N`-th last run (1: the last)"},
			&cli.BoolFlag{Name: "failed", Usage: "count only runs that failed"},
			&cli.BoolFlag{Name: "json", Usage: "print the run as JSON"},
			&cli.StringFlag{Name: "history", Usage: "the history `FILE` to read when no tend is running", EnvVars: []string{"TEND_HISTORY"}},
		),
		Action: cronLogsAction,
	}
}

// pastRun is a run as `tend cron logs --json` prints it.
type pastRun struct {
	history.Run
	Ended time.Time `json:"ended"`
}

func cronLogsAction(c *cli.Context) error {
	id := c.Args().First()
	if id == "" || c.Args().Len() > 1 || c.Int("run") < 1 {
		return &exitError{code: 2, err: fmt.Errorf("usage: tend cron logs ID [--run N] [--failed] [--json]")}
	}
	a, err := app.Load(loadOptions(c, os.Environ()))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	job, err := a.FindJob(id)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	runs, from, err := pastRuns(flagString(c, "socket"), a.Root, job.ID, c.String("history"))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	var picked []history.Run
	for _, r := range runs {
		if !r.Skipped() && (!c.Bool("failed") || !r.Success()) {
			picked = append(picked, r)
		}
	}
	n := c.Int("run")
	if len(picked) < n {
		what := map[bool]string{true: "failed runs", false: "runs"}[c.Bool("failed")]
		return &exitError{code: 1, err: fmt.Errorf("cron.%s: %d %s kept (%s), no run %d", job.ID, len(picked), what, from, n)}
	}
	r := picked[len(picked)-n]
	if c.Bool("json") {
		report.WriteJSON(c.App.Writer, pastRun{Run: r, Ended: r.Started.Add(r.Duration)})
		return nil
	}
	printPastRun(c.App.Writer, r)
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
