package history

import (
	"maps"
	"time"
)

// Stats summarises a job: counters since Open (not persisted, so "since
// start") and figures from its kept runs (which survive a restart of a
// file-backed store).
type Stats struct {
	// Runs, Failures and Skips are counted by Add since Open. Runs counts
	// every run that was not skipped, Failures those of them that did not
	// succeed (any Outcome other than "ok"), Skips those with Outcome
	// "skipped". Runs-Failures runs succeeded.
	Runs, Failures, Skips int
	// SkipsBy counts the skips by Run.Reason (nil when there were none).
	SkipsBy map[string]int
	// Latest is a copy of the most recent kept record, skipped or not, or
	// nil: a skip here means the job's latest due run did not happen.
	Latest *Run
	// Last is a copy of the most recent kept run that was not skipped, or nil.
	Last *Run
	// LastSuccess is when the most recent kept successful run ended
	// (Started+Duration), or the zero time if no kept run succeeded.
	LastSuccess time.Time
	// AvgSuccess is the mean Duration of the kept successful runs (0 if none).
	AvgSuccess time.Duration
}

// Stats returns the statistics of job; the zero Stats for a job never seen.
func (s *Store) Stats(job string) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st Stats
	if c := s.counts[job]; c != nil {
		st.Runs, st.Failures, st.Skips = c.runs, c.failures, c.skips
		st.SkipsBy = maps.Clone(c.skipsBy)
	}
	es := s.jobs[job]
	if len(es) > 0 {
		latest := es[len(es)-1].run
		st.Latest = &latest
	}
	// Sum the successful durations as quotient and remainder by their count,
	// so that the mean cannot overflow.
	n := 0
	for _, e := range es {
		if e.run.Success() {
			n++
		}
	}
	var q, rem time.Duration
	seenSuccess := false
	for i := len(es) - 1; i >= 0; i-- {
		r := es[i].run
		if st.Last == nil && !r.Skipped() {
			last := r
			st.Last = &last
		}
		if !r.Success() {
			continue
		}
		if !seenSuccess {
			seenSuccess = true
			st.LastSuccess = r.Started.Add(r.Duration)
		}
		q += r.Duration / time.Duration(n)
		rem += r.Duration % time.Duration(n)
	}
	if n > 0 {
		st.AvgSuccess = q + rem/time.Duration(n)
	}
	return st
}

// Remaining estimates the time left of a run of the job that started at
// start, at time now: AvgSuccess minus the time elapsed since start (taken
// as 0 if start is after now), or 0 if that is overdue. ok is false, and the
// estimate 0, when no kept run succeeded (LastSuccess is zero), so there is
// nothing to estimate from.
func (st Stats) Remaining(start, now time.Time) (left time.Duration, ok bool) {
	if st.LastSuccess.IsZero() {
		return 0, false
	}
	elapsed := max(now.Sub(start), 0)
	return max(st.AvgSuccess-elapsed, 0), true
}
