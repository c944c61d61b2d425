package proc

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// execute runs script through Exec with signals from sigs and returns the
// exit code and tend's messages.
func execute(t *testing.T, script string, cfg ExecConfig, sigs chan os.Signal) (int, string) {
	t.Helper()
	var errs strings.Builder
	cfg.Command = shell(script)
	// One Reaper at a time in a process: each would take the other's
	// statuses.
	cfg.Reaper = NewReaper(nil)
	defer cfg.Reaper.Close()
	cfg.Errors = &errs
	cfg.Signals = sigs
	if cfg.StopSignal == 0 {
		cfg.StopSignal = syscall.SIGTERM
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	return Exec(cfg), errs.String()
}

// sendWhenReady sends sig once the command has created ready (its traps
// are set then).
func sendWhenReady(sigs chan<- os.Signal, ready string, sig syscall.Signal) {
	for {
		if _, err := os.Stat(ready); err == nil {
			sigs <- sig
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestExecExitStatus(t *testing.T) {
	if code, _ := execute(t, "exit 3", ExecConfig{}, nil); code != 3 {
		t.Errorf("exit 3 gave %d", code)
	}
	if code, _ := execute(t, "kill -KILL $$", ExecConfig{}, nil); code != 137 {
		t.Errorf("killed by SIGKILL gave %d, want 137", code)
	}
	var errs strings.Builder
	r := NewReaper(nil)
	defer r.Close()
	code := Exec(ExecConfig{Command: Command{Path: "no-such-program-here", Args: []string{"x"}, Env: os.Environ()},
		Reaper: r, Errors: &errs})
	if code != 127 || !strings.Contains(errs.String(), "no-such-program-here") {
		t.Errorf("not found: %d %q", code, errs.String())
	}
}

// SIGTERM becomes the stop signal; one the command ignores is followed by
// SIGKILL after the grace.
func TestExecStopSignalAndGrace(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	dir := t.TempDir()
	ready := dir + "/ready"
	go sendWhenReady(sigs, ready, syscall.SIGTERM)
	code, _ := execute(t, "trap 'exit 9' QUIT; touch "+ready+"; while :; do sleep 0.02; done",
		ExecConfig{StopSignal: syscall.SIGQUIT}, sigs)
	if code != 9 {
		t.Errorf("exit %d, want 9 (SIGTERM passed on as SIGQUIT)", code)
	}

	os.Remove(ready)
	go sendWhenReady(sigs, ready, syscall.SIGTERM)
	code, msgs := execute(t, "trap '' TERM; touch "+ready+"; while :; do sleep 0.02; done",
		ExecConfig{Timeout: 200 * time.Millisecond}, sigs)
	if code != 137 || !strings.Contains(msgs, "still running 200ms after SIGTERM: sending SIGKILL") {
		t.Errorf("exit %d, %q; want 137 after SIGKILL", code, msgs)
	}
}

// MaxRun bounds the run: then the stop signal, the grace and SIGKILL.
func TestExecMaxRun(t *testing.T) {
	code, msgs := execute(t, "exec sleep 30", ExecConfig{MaxRun: 100 * time.Millisecond}, nil)
	if code != 143 || !strings.Contains(msgs, "timed out after 100ms: sending SIGTERM") {
		t.Errorf("exit %d, %q; want 143 after the time limit", code, msgs)
	}
}

// Other signals are passed on to the command.
func TestExecForwards(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	ready := t.TempDir() + "/ready"
	go sendWhenReady(sigs, ready, syscall.SIGUSR1)
	if code, _ := execute(t, "trap 'exit 5' USR1; touch "+ready+"; while :; do sleep 0.02; done", ExecConfig{}, sigs); code != 5 {
		t.Errorf("exit %d, want 5 (SIGUSR1 passed on)", code)
	}
}
