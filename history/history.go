// Package history keeps the last runs of every cron job, in memory and
// optionally in a JSON-lines file, so that status output and health checks
// can show the last run, counts since start and an estimate of the time left
// for a running job, and can tell when a job has not succeeded in time.
//
// The file holds one JSON object (a Run) per line, appended and fsynced per
// record. A line that cannot be parsed, such as a torn last line left by a
// crash, is skipped on load. The file is rewritten atomically, with only the
// last Keep runs per job, once it has grown past a few times that size: past
// 4×Keep lines per job (and 1000), or, since runs carry their output, past
// 4× the bytes the kept runs take (and 1 MiB). So the file never holds more
// than max(1 MiB, 4 × kept) plus one line, where kept is at most Keep lines
// of under 64 KiB per job (about 850 KiB per job with 16 KiB of output per
// run).
package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Outcomes of a run, the values of Run.Outcome. Only OutcomeOK is a
// success; OutcomeSkipped is neither a success nor a failure; any other
// value, including one this package does not know, is a failure.
const (
	OutcomeOK          = "ok"          // exited 0
	OutcomeFailed      = "failed"      // exited non-zero or was killed
	OutcomeTimedOut    = "timed out"   // stopped at its time limit
	OutcomeInterrupted = "interrupted" // stopped by tend's shutdown or a user
	OutcomeReplaced    = "replaced"    // stopped for a new run (concurrency_policy replace)
	OutcomeSkipped     = "skipped"     // not started (concurrency_policy forbid, or a lock held)
	OutcomeLockLost    = "lock lost"   // stopped: its database lock was gone and taken elsewhere
	// OutcomeCancelled: stopped because the caller of a `tend cron run`
	// through the running tend went away (Ctrl-C).
	OutcomeCancelled = "cancelled by the caller"
)

// Reasons a run was skipped, the values of Run.Reason (and of the reason
// label of tend_cron_skips_total).
const (
	// SkipPolicy: concurrency_policy forbid, and this tend's previous run
	// of the job is still going.
	SkipPolicy = "policy"
	// SkipLocked: another tend (another container or host) holds the
	// job's lock.
	SkipLocked = "locked"
	// SkipDatabaseUnavailable: the --lock-url database could not be
	// reached, so the lock could not be taken (a run never goes ahead
	// unlocked).
	SkipDatabaseUnavailable = "database-unavailable"
	// SkipLockError: the lock could not be taken for another reason (a
	// lock file that is not a regular file, a database error).
	SkipLockError = "lock-error"
)

// SkipReasons are the reasons tend gives, in the order it reports them.
var SkipReasons = []string{SkipPolicy, SkipLocked, SkipDatabaseUnavailable, SkipLockError}

// Keep is how many runs per job are kept, in memory and in the file after
// compaction. Older runs of a job are dropped as new ones are added.
const Keep = 50

// minCompactLines is the smallest line count past which the file is compacted.
const minCompactLines = 1000

// ErrClosed is returned by Add on a file-backed store after Close.
var ErrClosed = errors.New("history store closed")

// Run is one finished cron run, and one line of the history file.
type Run struct {
	Job       string        `json:"job"`         // job id, e.g. "9fca9889"; never empty
	Scheduled time.Time     `json:"scheduled"`   // due time (zero for a manual run)
	Started   time.Time     `json:"started"`     // when the run started
	Duration  time.Duration `json:"duration_ns"` // how long it ran; never negative
	ExitCode  int           `json:"exit_code"`   // 128+n when killed by signal n
	Outcome   string        `json:"outcome"`     // one of the Outcome constants
	// Attempt numbers the attempts of one due time under --cron-retry (1,
	// 2, …); 0 when the job has no retries.
	Attempt int `json:"attempt,omitempty"`
	// Output is the tail of the run's output, stdout and stderr as they
	// came (--cron-log-size); Add shortens it, from the front, so that
	// the line stays under 64 KiB.
	Output string `json:"output,omitempty"`
	// ErrorLine is the first line of the tail of the run's stderr.
	ErrorLine string `json:"error_line,omitempty"`
	// Reason says why a skipped run was skipped (one of the Skip
	// constants), and Detail how, in words (the lock's holder, the
	// database's error); both empty for a run that was not skipped.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Success reports whether the run succeeded (Outcome is "ok").
func (r Run) Success() bool { return r.Outcome == OutcomeOK }

// Skipped reports whether the run was skipped (Outcome is "skipped"): it is
// recorded and kept like any run, but was never started.
func (r Run) Skipped() bool { return r.Outcome == OutcomeSkipped }

// entry is a kept run with its position in the order runs were recorded,
// so that compaction writes the file in that order.
type entry struct {
	seq  uint64
	run  Run
	size int // its line's length in the file
}

// counters are a job's counts since Open.
type counters struct {
	runs, failures, skips int
	skipsBy               map[string]int // by Run.Reason
}

// Store holds the history of every job. It is safe for concurrent use.
// The zero Store is not usable; call Open.
type Store struct {
	mu     sync.Mutex
	jobs   map[string][]entry // oldest first, at most Keep each
	counts map[string]*counters
	seq    uint64 // seq of the next entry
	path   string // "" for memory only
	f      *os.File
	closed bool
	lines  int   // lines in the file, including skipped ones
	size   int64 // bytes in the file
	kept   int64 // bytes the kept runs take as lines
	needNL bool  // the file may not end with '\n'
	// compactSoon: the file was too large to read whole; compact at the
	// next Add.
	compactSoon bool
	minCompact  int // compaction threshold floor (minCompactLines but in tests)
}

// Open returns a store. With path "" the store is memory only. Otherwise the
// file at path is created (mode 0644) if it does not exist, its records are
// loaded (unparsable lines are skipped; only the last Keep per job are
// kept), and every Add appends one line to it. Once the file holds more
// than 4×Keep×(jobs seen) lines, and more than 1000, the next Add rewrites it
// atomically with only the kept runs; Open itself never rewrites it. Times
// read back equal (time.Time.Equal) to those added, with the same offset,
// but not the zone's name. Open fails if the file cannot be opened or read,
// for instance when its directory does not exist (fs.ErrNotExist), or is
// not a regular file (regfile.ErrNotRegular: a named pipe would block).
// Only the last 16 MiB of a larger file are read, and lines over 64 KiB
// are skipped.
func Open(path string) (*Store, error) {
	return open(path, minCompactLines)
}

func open(path string, minCompact int) (*Store, error) {
	s := &Store{
		jobs:       make(map[string][]entry),
		counts:     make(map[string]*counters),
		path:       path,
		minCompact: minCompact,
	}
	if path == "" {
		return s, nil
	}
	f, err := openFile(path)
	if err != nil {
		return nil, fmt.Errorf("open history: %w", err)
	}
	if err := s.loadFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("open history: read %s: %w", path, err)
	}
	s.f = f
	return s, nil
}

// Add records one run. It returns an error, and records nothing, if the run
// is invalid: an empty Job, a negative Duration, a time JSON cannot
// encode (a year outside 0–9999), or a line of 64 KiB or more. Otherwise
// the run is always kept in memory and counted; on a file-backed store it
// is also appended to the file and fsynced, which may trigger a
// compaction, and an error doing either (or ErrClosed after Close) is
// returned although the run stays in memory.
func (s *Store) Add(r Run) error {
	r = fit(normalize(r))
	line, err := encode(r)
	if err != nil {
		return fmt.Errorf("add history: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep(r, len(line))
	c := s.counts[r.Job]
	if c == nil {
		c = new(counters)
		s.counts[r.Job] = c
	}
	switch {
	case r.Skipped():
		c.skips++
		if c.skipsBy == nil {
			c.skipsBy = map[string]int{}
		}
		c.skipsBy[r.Reason]++
	case r.Success():
		c.runs++
	default:
		c.runs++
		c.failures++
	}
	if s.path == "" {
		return nil
	}
	if s.closed {
		return fmt.Errorf("add history: %w", ErrClosed)
	}
	if err := s.append(line); err != nil {
		return fmt.Errorf("add history: append to %s: %w", s.path, err)
	}
	if s.lines > s.compactAt() || s.compactSoon || s.size > max(minCompactBytes, 4*s.kept) {
		if err := s.compact(); err != nil {
			return fmt.Errorf("add history: compact %s: %w", s.path, err)
		}
	}
	return nil
}

// keep adds r to its job's runs, dropping the oldest beyond Keep.
// The caller holds s.mu (or owns s, during load).
func (s *Store) keep(r Run, size int) {
	e := entry{seq: s.seq, run: r, size: size}
	s.seq++
	s.kept += int64(size)
	es := s.jobs[r.Job]
	if len(es) < Keep {
		s.jobs[r.Job] = append(es, e)
		return
	}
	s.kept -= int64(es[0].size)
	copy(es, es[1:])
	es[len(es)-1] = e
}

// Runs returns a copy of the kept runs of job, oldest first: at most Keep,
// none for a job never seen.
func (s *Store) Runs(job string) []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	es := s.jobs[job]
	if len(es) == 0 {
		return nil
	}
	rs := make([]Run, len(es))
	for i, e := range es {
		rs[i] = e.run
	}
	return rs
}

// Close closes the file of a file-backed store; later Adds keep runs in
// memory only and return ErrClosed. Runs and Stats keep working. Closing a
// memory-only or already closed store does nothing and returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.path == "" {
		return nil
	}
	s.closed = true
	f := s.f
	s.f = nil
	if f == nil {
		return nil
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close history %s: %w", s.path, err)
	}
	return nil
}

// normalize drops the monotonic clock readings, which the file cannot hold,
// so that a run reads back from the file equal to the one kept in memory.
func normalize(r Run) Run {
	r.Scheduled = r.Scheduled.Round(0)
	r.Started = r.Started.Round(0)
	return r
}

// valid reports whether r can be a kept run. Loaded lines must pass it too,
// so that a file written by Add reads back as the same runs.
func valid(r Run) error {
	switch {
	case r.Job == "":
		return errors.New("run has no job")
	case r.Duration < 0:
		return fmt.Errorf("run of %s has a negative duration %v", r.Job, r.Duration)
	}
	return nil
}

// minCompactBytes is the smallest file size past which the file is
// compacted for its size (past 4× what the kept runs take).
const minCompactBytes = 1 << 20

// fit shortens r's Output from the front until its line is under maxLine
// (output that JSON escapes, control bytes, takes up to six times its
// size), so that every run with output can be kept in the file.
func fit(r Run) Run {
	for range 20 {
		b, err := json.Marshal(r)
		if err != nil || len(b) < maxLine || r.Output == "" {
			return r
		}
		// Keep the share of the output that fits, a little less each try.
		keep := int(int64(len(r.Output)) * int64(maxLine-1024) / int64(len(b)) * 9 / 10)
		r.Output = strings.ToValidUTF8(r.Output[len(r.Output)-max(keep, 0):], "")
	}
	r.Output = ""
	return r
}

// encode returns r as one line of the file, with its '\n'.
func encode(r Run) ([]byte, error) {
	if err := valid(r); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode run of %s: %w", r.Job, err)
	}
	if len(b) >= maxLine {
		// load would skip it: keep the file and memory the same.
		return nil, fmt.Errorf("encode run: a line of %d bytes, over the limit of %d", len(b), maxLine-1)
	}
	return append(b, '\n'), nil
}
