package startup

import (
	"slices"
	"sync/atomic"
	"testing"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/runner"
	"github.com/tend-run/tend/spec"
)

func TestInstanceNamesPutTheReleaseLast(t *testing.T) {
	got := InstanceNames([]spec.Instance{{Name: "web.1"}, {Name: "web.2"}}, []cron.Job{{ID: "abc"}}, true)
	if want := []string{"web.1", "web.2", "cron.abc", "release.1"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

func TestServedByBeforeASupervisor(t *testing.T) {
	var serving atomic.Pointer[runner.Supervisor]
	snap, err := ServedBy(&serving)("status", "")
	if err == nil || err.Error() != "tend is starting" || snap.Pid == 0 {
		t.Errorf("snap %+v, err %v", snap, err)
	}
}
