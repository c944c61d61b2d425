package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/runner"
)

func TestCronHealthy(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday
	friday := now.Add(-72 * time.Hour)
	weekAgo := now.Add(-7 * 24 * time.Hour)
	snap := func(last *time.Time, gap time.Duration) runner.Snapshot {
		return runner.Snapshot{Started: weekAgo, Cron: []cron.JobStatus{{ID: "ab12cd34", Command: "bin/report", Gap: gap, LastSuccess: last}}}
	}
	if ok, why := CronHealthy(snap(&friday, 72*time.Hour), now); !ok {
		t.Errorf("a weekday job that ran on Friday fails on Monday: %s", why)
	}
	if ok, why := CronHealthy(snap(&weekAgo, 24*time.Hour), now); ok || !strings.Contains(why, "cron ab12cd34 (bin/report) has not succeeded for 168h0m0s (allowed: 48h0m0s)") {
		t.Errorf("a daily job silent for a week: %v %q", ok, why)
	}
	if ok, _ := CronHealthy(snap(nil, time.Hour), now); ok {
		t.Error("a job that never succeeded since a week passed")
	}
}

func TestHealthzAndStatus(t *testing.T) {
	state := runner.Snapshot{Processes: []runner.ProcessStatus{{Name: "web.1", Type: "web", State: "running", Expected: true}}}
	srv := httptest.NewServer(Handler(func() (runner.Snapshot, error) { return state, nil }))
	defer srv.Close()
	get := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("/healthz") != 200 || get("/status") != 200 {
		t.Error("healthy state not served as healthy")
	}
	state.Processes[0].State = "restarting"
	if get("/healthz") != 503 {
		t.Error("a process that should run but does not is healthy")
	}
	state.Processes[0].Expected = false // e.g. waiting out its back-off
	if get("/healthz") != 200 {
		t.Error("an expected pause marked unhealthy")
	}
}

func TestListenDefaultsToLoopback(t *testing.T) {
	l, err := Listen(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.Addr().String(), "127.0.0.1:") {
		t.Errorf("listening on %s", l.Addr())
	}
}
