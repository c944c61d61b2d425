package history

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// at returns a run of job a started d after base, lasting dur.
func at(d, dur time.Duration, outcome string) Run {
	return Run{Job: "a", Scheduled: base.Add(d), Started: base.Add(d), Duration: dur, Outcome: outcome}
}

func ptr(r Run) *Run { return &r }

// skip returns a skipped run of job a due d after base, for reason.
func skip(d time.Duration, reason string) Run {
	r := at(d, 0, OutcomeSkipped)
	r.Reason, r.Detail = reason, "because "+reason
	return r
}

func TestStats(t *testing.T) {
	var keepMore []Run // Keep+10 successes lasting 0s, 1s, …: the first 10 are dropped
	for i := range Keep + 10 {
		keepMore = append(keepMore, at(time.Duration(i)*time.Minute, time.Duration(i)*time.Second, OutcomeOK))
	}
	last := keepMore[len(keepMore)-1]
	tests := []struct {
		name string
		runs []Run
		want Stats
	}{
		{"no runs", nil, Stats{}},
		{"only skipped", []Run{at(0, 0, OutcomeSkipped)}, Stats{Skips: 1, SkipsBy: map[string]int{"": 1}}},
		{
			"skips by reason; the latest record is a skip",
			[]Run{
				at(0, time.Second, OutcomeOK),
				skip(time.Minute, SkipLocked),
				skip(2*time.Minute, SkipDatabaseUnavailable),
				skip(3*time.Minute, SkipDatabaseUnavailable),
			},
			Stats{
				Runs: 1, Skips: 3, SkipsBy: map[string]int{SkipLocked: 1, SkipDatabaseUnavailable: 2},
				Last:        ptr(at(0, time.Second, OutcomeOK)),
				LastSuccess: base.Add(time.Second),
				AvgSuccess:  time.Second,
			},
		},
		{
			"mixed",
			[]Run{
				at(0, 10*time.Second, OutcomeOK),
				at(time.Minute, 3*time.Second, OutcomeFailed),
				at(2*time.Minute, 20*time.Second, OutcomeOK),
				at(3*time.Minute, 0, OutcomeSkipped),
			},
			Stats{
				Runs: 3, Failures: 1, Skips: 1, SkipsBy: map[string]int{"": 1},
				Last:        ptr(at(2*time.Minute, 20*time.Second, OutcomeOK)),
				LastSuccess: base.Add(2*time.Minute + 20*time.Second),
				AvgSuccess:  15 * time.Second,
			},
		},
		{
			"every failing outcome is a failure",
			[]Run{
				at(0, 4*time.Second, OutcomeOK),
				at(time.Minute, time.Second, OutcomeFailed),
				at(2*time.Minute, time.Second, OutcomeTimedOut),
				at(3*time.Minute, time.Second, OutcomeInterrupted),
				at(4*time.Minute, time.Second, OutcomeReplaced),
				at(5*time.Minute, time.Second, "some future outcome"),
			},
			Stats{
				Runs: 6, Failures: 5,
				Last:        ptr(at(5*time.Minute, time.Second, "some future outcome")),
				LastSuccess: base.Add(4 * time.Second),
				AvgSuccess:  4 * time.Second,
			},
		},
		{
			"only failures",
			[]Run{at(0, time.Second, OutcomeFailed), at(time.Minute, time.Second, OutcomeTimedOut)},
			Stats{Runs: 2, Failures: 2, Last: ptr(at(time.Minute, time.Second, OutcomeTimedOut))},
		},
		{
			"mean truncates",
			[]Run{at(0, 1, OutcomeOK), at(time.Minute, 2, OutcomeOK)},
			Stats{Runs: 2, Last: ptr(at(time.Minute, 2, OutcomeOK)), LastSuccess: base.Add(time.Minute + 2), AvgSuccess: 1},
		},
		{
			"mean does not overflow",
			[]Run{at(0, math.MaxInt64, OutcomeOK), at(0, math.MaxInt64-2, OutcomeOK)},
			Stats{
				Runs: 2, Last: ptr(at(0, math.MaxInt64-2, OutcomeOK)),
				LastSuccess: base.Add(math.MaxInt64 - 2),
				AvgSuccess:  math.MaxInt64 - 1,
			},
		},
		{
			"kept runs only, counts since Open",
			keepMore,
			Stats{
				Runs:        Keep + 10,
				Last:        ptr(last),
				LastSuccess: last.Started.Add(last.Duration),
				AvgSuccess:  (10 + Keep + 9) * time.Second / 2, // mean of 10s … 59s
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t, "")
			mustAdd(t, s, tt.runs...)
			if n := len(tt.runs); n > 0 {
				latest := tt.runs[n-1]
				tt.want.Latest = &latest
			}
			if got := s.Stats("a"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Stats =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestStatsLastIsACopy checks that changing Stats.Last changes no kept run.
func TestStatsLastIsACopy(t *testing.T) {
	s := mustOpen(t, "")
	mustAdd(t, s, at(0, time.Second, OutcomeOK))
	s.Stats("a").Last.Outcome = OutcomeFailed
	if got := s.Runs("a")[0].Outcome; got != OutcomeOK {
		t.Fatalf("kept run's outcome changed to %q", got)
	}
}

func TestRemaining(t *testing.T) {
	known := Stats{LastSuccess: base, AvgSuccess: 15 * time.Second}
	tests := []struct {
		name    string
		st      Stats
		elapsed time.Duration // now - start
		want    time.Duration
		wantOK  bool
	}{
		{"just started", known, 0, 15 * time.Second, true},
		{"under way", known, 10 * time.Second, 5 * time.Second, true},
		{"due now", known, 15 * time.Second, 0, true},
		{"overdue", known, 20 * time.Second, 0, true},
		{"start after now", known, -time.Minute, 15 * time.Second, true},
		{"instant successes", Stats{LastSuccess: base}, time.Second, 0, true},
		{"no success", Stats{Runs: 3, Failures: 3}, time.Second, 0, false},
	}
	start := base.Add(time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.st.Remaining(start, start.Add(tt.elapsed))
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Remaining = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestRemainingFromStore estimates from a store's figures.
func TestRemainingFromStore(t *testing.T) {
	s := mustOpen(t, "")
	mustAdd(t, s, at(0, 30*time.Second, OutcomeOK), at(time.Minute, 90*time.Second, OutcomeOK), at(2*time.Minute, time.Hour, OutcomeFailed))
	start := base.Add(time.Hour)
	got, ok := s.Stats("a").Remaining(start, start.Add(45*time.Second))
	if got != 15*time.Second || !ok {
		t.Fatalf("Remaining = %v, %v; want 15s, true", got, ok)
	}
}

// TestSkipReasonSurvivesAReopen: a skip's reason and detail are in the
// file, so the latest record after a restart still says why.
func TestSkipReasonSurvivesAReopen(t *testing.T) {
	path := t.TempDir() + "/history"
	s := mustOpen(t, path)
	mustAdd(t, s, at(0, time.Second, OutcomeOK), skip(time.Minute, SkipDatabaseUnavailable))
	s.Close()
	got := mustOpen(t, path).Stats("a").Latest
	if want := skip(time.Minute, SkipDatabaseUnavailable); got == nil || got.Reason != want.Reason || got.Detail != want.Detail {
		t.Fatalf("latest record after a reopen: %+v, want %+v", got, want)
	}
}
