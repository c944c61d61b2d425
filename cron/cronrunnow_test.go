package cron

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// RunNow returns only once the run's output has reached the tee: a caller
// of `tend cron run` gets every line before the exit status, even when the
// job exits at once and the caller reads slowly.
func TestRunNowDeliversAllOutputBeforeTheStatus(t *testing.T) {
	stdout, stderr := &testkit.SlowBuffer{}, &testkit.SlowBuffer{}
	st, err := runNow(t, "for i in $(seq 1 300); do echo line $i; echo err $i >&2; done; exit 3", &output.Tee{Stdout: stdout, Stderr: stderr})
	if err != nil || st.ExitCode() != 3 {
		t.Fatalf("RunNow: %v, exit %d", err, st.ExitCode())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 300 || !strings.HasSuffix(stdout.String(), "line 300\n") {
		t.Errorf("stdout had %d lines when the status came", n)
	}
	if n := strings.Count(stderr.String(), "\n"); n != 300 {
		t.Errorf("stderr had %d lines when the status came", n)
	}
}

// A background process the job left holds its pipes open: the caller
// still gets the status once output stops coming, not when it exits.
func TestRunNowDoesNotWaitForABackgroundProcess(t *testing.T) {
	stdout := &testkit.Buffer{}
	done := make(chan error, 1)
	go func() {
		_, err := runNow(t, "sleep 60 & echo $!", &output.Tee{Stdout: stdout, Stderr: &testkit.Buffer{}})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("RunNow waited for the background process")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatalf("output %q", stdout)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// runNow runs command as cron job "j" through a scheduler's RunNow, with
// real processes and pipes.
func runNow(t *testing.T, command string, tee *output.Tee) (proc.ExitStatus, error) {
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	locks, err := cronlock.OpenLockDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := output.NewMux(output.OutputOptions{Stdout: &testkit.Buffer{}, Stderr: &testkit.Buffer{}, Prefix: true})
	j := job(t, "j", "@daily", cronlock.PolicyAllow)
	j.Command = command
	sched := New(Config{
		Jobs: []Job{j}, Locks: locks, Grace: time.Second, Output: out,
		Launch: func(job Job, scheduled, deadline time.Time) (RunHandle, error) {
			p, err := out.Pipes(job.Name(), job.Tee)
			if err != nil {
				return nil, err
			}
			child, err := reaper.Start(proc.Command{Path: "/bin/sh", Args: []string{"sh", "-c", job.Command}, NewGroup: true,
				Stdout: p.Stdout, Stderr: p.Stderr, OutputDone: p.Done()})
			p.Started(err)
			return child, err
		},
	}, nil)
	sched.Start()
	defer func() { sched.Drain(); sched.Wait() }()

	return sched.RunNow("j", tee, nil)
}
