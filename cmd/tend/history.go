package main

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/runner"
)

// openHistory opens the cron run history: in memory, plus the --history
// file when one is given (relative paths are taken from the working
// directory, as for every other path flag).
func openHistory(c *cli.Context) (*history.Store, error) {
	path := flagString(c, "history")
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("--history %s: %w", path, err)
		}
		path = abs
	}
	store, err := history.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--history %s: %w", path, err)
	}
	return store, nil
}

// historyRecorder lets the scheduler keep its runs in a history.Store. A
// failed write to the file is reported and the run is still kept in memory.
type historyRecorder struct {
	store *history.Store
	out   *runner.Mux
}

func (h historyRecorder) Record(r runner.RunRecord) {
	err := h.store.Add(history.Run{
		Job: r.Job, Scheduled: r.Scheduled, Started: r.Started,
		Duration: max(r.Duration, 0), ExitCode: r.ExitCode, Outcome: r.Outcome,
	})
	if err != nil {
		h.out.Errorf("cron history: %v", err)
	}
}

func (h historyRecorder) Summary(job string) runner.RunSummary {
	st := h.store.Stats(job)
	sum := runner.RunSummary{
		Runs: st.Runs, Failures: st.Failures, Skips: st.Skips,
		LastSuccess: st.LastSuccess, AvgSuccess: st.AvgSuccess,
	}
	if st.Last != nil {
		sum.Last = &runner.LastRun{Started: st.Last.Started, Duration: st.Last.Duration, ExitCode: st.Last.ExitCode, Outcome: st.Last.Outcome}
	}
	return sum
}
