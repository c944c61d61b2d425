package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/status"
)

// PrintStatus writes the snapshot of a running tend as of now: its
// processes, then its cron jobs.
func PrintStatus(w io.Writer, s status.Snapshot, now time.Time) {
	fmt.Fprintf(w, "tend pid %d, up %v\n", s.Pid, now.Sub(s.Started).Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCESS\tPID\tSTATE\tFOR\tRESTARTS\tLAST EXIT\tMEMORY\tCPU\tRECYCLES")
	for _, p := range s.Processes {
		pid, last := "-", "-"
		if p.Pid != 0 {
			pid = fmt.Sprint(p.Pid)
		}
		if p.LastExit != nil {
			last = fmt.Sprint(*p.LastExit)
		}
		state := p.State
		if p.Ready != nil && p.State == status.Running {
			state = map[bool]string{true: "ready", false: "running, not ready"}[*p.Ready]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\t%s\t%s\t%s\t%s\n", p.Name, pid, state, now.Sub(p.Since).Round(time.Second), p.Restarts, last,
			memory(p), cpu(p), recycles(p))
	}
	tw.Flush()
	if len(s.Cron) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "CRON\tSCHEDULE\tNEXT\tLAST RUN\tRUNS\tFAILED\tSKIPPED\tNOW")
	for _, j := range s.Cron {
		next, last := "-", "-"
		if j.Next != nil {
			next = j.Next.Format(time.RFC3339)
		}
		if j.Last != nil {
			last = fmt.Sprintf("%s (%d) %v, %v ago", j.Last.Outcome, j.Last.ExitCode, j.Last.Duration.Round(time.Millisecond), now.Sub(j.Last.Started).Round(time.Second))
		}
		if j.Suspended {
			next = "suspended"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", j.ID, j.Schedule, next, last, j.Runs, j.Failures, j.Skips, running(j))
	}
	tw.Flush()
	for _, j := range s.Cron {
		if j.Last != nil && j.Last.ErrorLine != "" {
			fmt.Fprintf(w, "%s last error: %s (tend cron logs %s)\n", j.ID, j.Last.ErrorLine, j.ID)
		}
		if k := j.Skipped; k != nil {
			fmt.Fprintf(w, "%s: the run due at %s was skipped %v ago: %s", j.ID, k.Scheduled.Format(time.RFC3339), now.Sub(k.At).Round(time.Second), skipWords(k.Reason))
			if k.Detail != "" {
				fmt.Fprintf(w, " (%s)", k.Detail)
			}
			fmt.Fprintln(w)
		}
	}
}

// skipWords says a skip's reason in words.
func skipWords(reason string) string {
	switch reason {
	case history.SkipDatabaseUnavailable:
		return "lock database unavailable"
	case history.SkipLocked:
		return "its lock is held by another tend"
	case history.SkipPolicy:
		return "concurrency policy"
	case history.SkipLockError:
		return "its lock could not be taken"
	}
	return "reason " + reason
}

// running describes a job's runs in progress, "-" when there are none.
func running(j status.Job) string {
	var parts []string
	for _, r := range j.Running {
		part := fmt.Sprintf("running %v", r.Elapsed.Round(time.Second))
		if r.Remaining != nil {
			part += fmt.Sprintf(", ~%v left", r.Remaining.Round(time.Second))
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

// memory is a process's memory, with its limit: "61.2M/512.0M".
func memory(p status.Process) string {
	m := "-"
	if p.Memory > 0 {
		m = status.FormatBytes(p.Memory)
	}
	if p.MaxMemory > 0 {
		m += "/" + status.FormatBytes(p.MaxMemory)
	}
	return m
}

func cpu(p status.Process) string {
	if p.Pid == 0 || p.Memory == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fs", p.CPU)
}

// recycles is the count and the last reason: "3 (memory)".
func recycles(p status.Process) string {
	if p.RecycleCount == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", p.RecycleCount, p.LastRecycle)
}
