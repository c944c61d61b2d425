package proc

import (
	"syscall"
	"testing"
	"time"
)

// A child that obeys the stop signal is not killed; one that ignores it is
// killed when the grace runs out, or at once when kill is closed.
func TestStop(t *testing.T) {
	r := newTestReaper(t)
	start := func(script string) *Child {
		t.Helper()
		c, err := r.Start(shell(script))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // the shell sets its trap
		return c
	}
	obeys := start("trap 'exit 7' TERM; while :; do sleep 0.02; done")
	if Stop(obeys, syscall.SIGTERM, true, time.After(10*time.Second), nil) {
		t.Error("a child that exits on SIGTERM was killed")
	}
	if st := obeys.Wait(); st.Code != 7 {
		t.Errorf("status %v, want exit 7", st)
	}

	deaf := start("trap '' TERM; while :; do sleep 0.02; done")
	begin := time.Now()
	if !Stop(deaf, syscall.SIGTERM, true, time.After(200*time.Millisecond), nil) {
		t.Error("a child that ignores SIGTERM was not killed")
	}
	if st := deaf.Wait(); st.Signal != syscall.SIGKILL {
		t.Errorf("status %v, want SIGKILL", st)
	}
	if took := time.Since(begin); took < 200*time.Millisecond {
		t.Errorf("killed after %v, before the grace", took)
	}

	deaf = start("trap '' TERM; while :; do sleep 0.02; done")
	kill := make(chan struct{})
	close(kill)
	if !Stop(deaf, syscall.SIGTERM, true, nil, kill) {
		t.Error("kill did not kill")
	}
	if st := deaf.Wait(); st.Signal != syscall.SIGKILL {
		t.Errorf("status %v, want SIGKILL", st)
	}
}
