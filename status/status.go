// Package status is the picture of a running tend, as the control socket,
// `tend status` and the metrics endpoint see it: the snapshot with its
// processes and cron jobs, the health verdict, and the names of the
// control operations. It is data only; the engine fills it in and control
// and metrics read it, so neither needs the engine.
package status

import (
	"errors"
	"strconv"
	"time"

	"github.com/tend-run/tend/history"
)

// The control operations (control.Request.Op).
const (
	OpStatus  = "status"
	OpRestart = "restart"
	OpStop    = "stop"
	OpStart   = "start"
	OpReload  = "reload"
	// OpRestartAllAtOnce is `tend restart --all-at-once`: every instance
	// named at once, not one of a type at a time.
	OpRestartAllAtOnce = "restart-all-at-once"
	// OpCronRun runs a cron job now and streams its output (`tend cron run`).
	OpCronRun = "cron-run"
	// OpLogs streams the output tend keeps (`tend logs`).
	OpLogs = "logs"
	// OpCronRuns answers with the kept runs of one job, their output
	// included (`tend cron logs`): Snapshot.CronRuns.
	OpCronRuns = "cron-runs"
	// OpAttach connects a terminal to an instance's (`tend attach`).
	OpAttach = "attach"
)

// ErrSkipped says a cron run was not started because of its policy or
// lock (the caller of `tend cron run` is told so).
var ErrSkipped = errors.New("skipped")

// The states of a process.
const (
	Running    = "running"
	Restarting = "restarting"
	Stopping   = "stopping"
	Stopped    = "stopped"
	Exited     = "exited"
	// Waiting: exited under --watch, to start again at the next change.
	Waiting = "exited, waiting for a change"
	// Starting: running, its startup health checks not passed yet.
	Starting = "starting"
	// Held: not started yet; --after has it wait for other types.
	Held = "waiting for --after"
	// Failed: tend gave up restarting its type (--can-die: the rest runs).
	Failed = "failed"
)

// Snapshot is the supervisor's state at one moment.
type Snapshot struct {
	Pid       int       `json:"pid"`
	Started   time.Time `json:"started"`
	Draining  bool      `json:"draining"`
	Processes []Process `json:"processes"`
	Cron      []Job     `json:"cron"`
	// CronRuns are the kept runs of a job, oldest first, in the answer
	// to OpCronRuns only.
	CronRuns []history.Run `json:"cron_runs,omitempty"`
}

// Process is one instance as `tend status` shows it.
type Process struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Pid   int    `json:"pid,omitempty"`
	State string `json:"state"` // Running, Restarting, Stopping, Stopped or Exited
	// Since is when the current state began (start time while running).
	Since    time.Time `json:"since"`
	Restarts int       `json:"restarts"`
	Exits    int       `json:"exits"`
	// LastExit is the last exit code, if it has exited.
	LastExit *int `json:"last_exit,omitempty"`
	// Expected says the instance should be running now (a --can-die type
	// that exited, or one waiting out its restart back-off, is not).
	Expected bool `json:"expected"`
	// Ready is whether its readiness checks pass; nil when its type has
	// none.
	Ready *bool `json:"ready,omitempty"`
	// Checks are its health checks' latest results.
	Checks []CheckState `json:"healthchecks,omitempty"`
	// Memory is the resident memory of its whole process group in bytes,
	// and CPU the user and system seconds of the group's living members
	// and of the leader's finished children, while it runs (0 where /proc
	// cannot tell).
	Memory int64   `json:"memory_bytes,omitempty"`
	CPU    float64 `json:"cpu_seconds,omitempty"`
	// MaxMemory is its --max-memory in bytes (0: none).
	MaxMemory int64 `json:"max_memory_bytes,omitempty"`
	// Recycles counts the times tend restarted it on purpose, by reason
	// (memory, age, exit0, manual, liveness); RecycleCount is their sum and
	// LastRecycle the last one's reason.
	Recycles     map[string]int `json:"recycles,omitempty"`
	RecycleCount int            `json:"recycle_count,omitempty"`
	LastRecycle  string         `json:"last_recycle,omitempty"`
}

// FormatBytes writes a size as --max-memory takes it: 612.5M, 1.25G.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 2, 64) + "G"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + "M"
	default:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + "K"
	}
}

// CheckState is one health check of an instance: its latest result and
// how many of its probes have failed since the instance started.
type CheckState struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	Up       bool   `json:"up"`
	Probed   bool   `json:"probed"`
	Failures int    `json:"failures"`
	// Error is the last failure's message.
	Error string `json:"error,omitempty"`
}

// Job is one cron job as `tend status` shows it.
type Job struct {
	ID       string     `json:"id"`
	Schedule string     `json:"schedule"`
	Command  string     `json:"command"`
	Policy   string     `json:"concurrency_policy"`
	Next     *time.Time `json:"next,omitempty"`
	Running  []Run      `json:"running"`
	Runs     int        `json:"runs"`
	Failures int        `json:"failures"`
	Skips    int        `json:"skips"`
	// SkipsBy counts the skips by reason (history.SkipPolicy, …).
	SkipsBy map[string]int `json:"skips_by_reason,omitempty"`
	// Skipped is set while the job's latest due run was skipped: why.
	Skipped *Skip    `json:"skipped,omitempty"`
	Last    *LastRun `json:"last,omitempty"`
	// LastSuccess is when the last successful run ended.
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// Gap is the time between the job's last two scheduled times before
	// now (for the dead man's switch).
	Gap time.Duration `json:"gap_ns"`
	// Suspended: `tend cron suspend` holds it; it starts no runs.
	Suspended bool `json:"suspended"`
}

// Run is a cron run in progress.
type Run struct {
	Started time.Time     `json:"started"`
	Pid     int           `json:"pid,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Attempt is the attempt number under --cron-retry (0 without).
	Attempt int `json:"attempt,omitempty"`
	// Remaining estimates the time left from the average of the job's
	// earlier successful runs (absent when there are none).
	Remaining *time.Duration `json:"remaining_ns,omitempty"`
}

// Skip is a skipped run: when it was due, why (a history.Skip… reason)
// and how, in words.
type Skip struct {
	Scheduled time.Time `json:"scheduled"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
	Detail    string    `json:"detail,omitempty"`
}

// LastRun is the most recent finished run, as `tend status` shows it
// (history.Run without the job and the due time).
type LastRun struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	ExitCode int           `json:"exit_code"`
	Outcome  string        `json:"outcome"`
	// ErrorLine is the first line of its stderr's tail, when it failed.
	ErrorLine string `json:"error_line,omitempty"`
}
