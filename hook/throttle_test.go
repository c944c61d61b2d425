package hook

import (
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
)

// The throttle's decisions in order, per type: the first failure fires,
// later ones within Every are counted for the next hook, a give-up always
// fires with them, a recovery fires only after a hooked failure, and the
// failure after a recovery fires again. Cron jobs and types count apart.
func TestHookThrottle(t *testing.T) {
	var out testkit.Buffer
	h := &Hook{Command: "true", Every: time.Hour, Output: output.NewMux(output.OutputOptions{Stdout: &out, Stderr: &out})}
	for i, c := range []struct {
		f     Failure
		fires bool
		n     int
	}{
		{Failure{Type: "worker", Event: EventRecovered}, false, 0},
		{Failure{Type: "worker"}, true, 1},
		{Failure{Type: "worker"}, false, 0},
		{Failure{Type: "web"}, true, 1},
		{Failure{JobID: "worker"}, true, 1},
		{Failure{Type: "worker", Reason: "liveness"}, false, 0},
		{Failure{Type: "worker", Event: EventGaveUp}, true, 2},
		{Failure{Type: "worker", Event: EventRecovered}, true, 0},
		{Failure{Type: "worker", Event: EventRecovered}, false, 0},
		{Failure{Type: "worker"}, true, 1},
	} {
		n, fires := h.admit(&c.f)
		if fires != c.fires || n != c.n {
			t.Errorf("%d: %+v: fires %v with %d, want %v with %d", i, c.f, fires, n, c.fires, c.n)
		}
	}
	out.WaitFor(t, "on-failure: further failures of worker within 1h0m0s are counted, not reported (--on-failure-every)")
}
