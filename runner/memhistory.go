package runner

import (
	"sync"
	"time"
)

// keepRuns is how many runs per job a MemoryHistory keeps.
const keepRuns = 50

// MemoryHistory is a History that lives as long as tend: the last 50 runs
// of each job and counts since start.
type MemoryHistory struct {
	mu   sync.Mutex
	jobs map[string]*jobHistory
}

type jobHistory struct {
	runs                 []RunRecord
	count, failed, skips int
}

// NewMemoryHistory returns an empty history.
func NewMemoryHistory() *MemoryHistory { return &MemoryHistory{jobs: map[string]*jobHistory{}} }

// Record adds a run or a skip.
func (h *MemoryHistory) Record(r RunRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	j := h.jobs[r.Job]
	if j == nil {
		j = &jobHistory{}
		h.jobs[r.Job] = j
	}
	if r.Outcome == "skipped" {
		j.skips++
		return
	}
	j.count++
	if r.Outcome != "ok" {
		j.failed++
	}
	j.runs = append(j.runs, r)
	if len(j.runs) > keepRuns {
		j.runs = append(j.runs[:0:0], j.runs[len(j.runs)-keepRuns:]...)
	}
}

// Summary reports a job's counts, last run, last success and the mean
// duration of its kept successful runs.
func (h *MemoryHistory) Summary(job string) RunSummary {
	h.mu.Lock()
	defer h.mu.Unlock()
	j := h.jobs[job]
	if j == nil {
		return RunSummary{}
	}
	return summarize(j.runs, j.count, j.failed, j.skips)
}

// summarize builds a RunSummary from kept runs (oldest first) and counts.
func summarize(runs []RunRecord, count, failed, skips int) RunSummary {
	sum := RunSummary{Runs: count, Failures: failed, Skips: skips}
	var total time.Duration
	n := 0
	for _, r := range runs {
		if r.Outcome == "skipped" {
			continue
		}
		sum.Last = &LastRun{Started: r.Started, Duration: r.Duration, ExitCode: r.ExitCode, Outcome: r.Outcome}
		if r.Outcome == "ok" {
			total += r.Duration
			n++
			sum.LastSuccess = r.Started.Add(r.Duration)
		}
	}
	if n > 0 {
		sum.AvgSuccess = total / time.Duration(n)
	}
	return sum
}
