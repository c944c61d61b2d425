package runner

import (
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/appjson"
)

// slowWriter is a caller on a slow connection.
type slowWriter struct{ lockedBuffer }

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return w.lockedBuffer.Write(p)
}

// RunNow returns only once the run's output has reached the tee: a caller
// of `tend cron run` gets every line before the exit status, even when the
// job exits at once and the caller reads slowly.
func TestRunNowDeliversAllOutputBeforeTheStatus(t *testing.T) {
	stdout, stderr := &slowWriter{}, &slowWriter{}
	st, err := runNow(t, "for i in $(seq 1 300); do echo line $i; echo err $i >&2; done; exit 3", &Tee{Stdout: stdout, Stderr: stderr})
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
	stdout := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := runNow(t, "sleep 60 & echo $!", &Tee{Stdout: stdout, Stderr: &lockedBuffer{}})
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
func runNow(t *testing.T, command string, tee *Tee) (ExitStatus, error) {
	reaper := NewReaper(nil)
	defer reaper.Close()
	var copiers sync.WaitGroup
	locks, err := OpenLockDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := NewMux(OutputOptions{Stdout: &lockedBuffer{}, Stderr: &lockedBuffer{}, Prefix: true})
	j := job(t, "j", "@daily", appjson.PolicyAllow)
	j.Command = command
	sched := NewScheduler(SchedulerConfig{
		Jobs: []CronJob{j}, Locks: locks, Grace: time.Second, Output: out,
		Launch: func(job CronJob, scheduled, deadline time.Time) (RunHandle, error) {
			return startPipedTee(reaper, out, &copiers, job.Name(), Command{Path: "/bin/sh", Args: []string{"sh", "-c", job.Command}, NewGroup: true}, job.Tee)
		},
	})
	sched.Start()
	defer func() { sched.Drain(); sched.Wait() }()

	return sched.RunNow("j", tee, nil)
}
