package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/status"
)

func TestHealthzAndStatus(t *testing.T) {
	state := status.Snapshot{Processes: []status.Process{{Name: "web.1", Type: "web", State: "running", Expected: true}}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return state, nil }))
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

// Readiness and health checks: /healthz/ready follows Ready, and each
// check is a tend_healthcheck_up and a failure counter.
func TestReadyAndHealthcheckMetrics(t *testing.T) {
	ready := false
	state := status.Snapshot{Processes: []status.Process{{Name: "web.1", Type: "web", State: "running", Expected: true, Ready: &ready,
		Checks: []status.CheckState{{Type: "readiness", Name: "GET /health on $PORT", Up: false, Probed: true, Failures: 2}}}}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return state, nil }))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	if code, body := get("/healthz/ready"); code != 503 || !strings.Contains(body, "web.1 is not ready") {
		t.Errorf("/healthz/ready: %d %q", code, body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz fails for readiness: %d", code)
	}
	_, body := get("/metrics")
	for _, want := range []string{
		`tend_healthcheck_up{check="GET /health on $PORT",process="web.1",type="readiness"} 0`,
		`tend_healthcheck_failures_total{check="GET /health on $PORT",process="web.1",type="readiness"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	ready = true
	if code, _ := get("/healthz/ready"); code != 200 {
		t.Errorf("/healthz/ready when ready: %d", code)
	}
}

// A suspended job is tend_cron_suspended 1, and /healthz/cron ignores it.
func TestCronSuspendedMetric(t *testing.T) {
	state := status.Snapshot{Cron: []status.Job{{ID: "ab12cd34", Command: "bin/report", Gap: 1, Suspended: true}, {ID: "ef56ab78", Command: "bin/tick"}}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return state, nil }))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	resp.Body.Close()
	for _, want := range []string{`tend_cron_suspended{job="ab12cd34"} 1`, `tend_cron_suspended{job="ef56ab78"} 0`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, b.String())
		}
	}
	resp, err = http.Get(srv.URL + "/healthz/cron")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz/cron with a suspended job that never succeeded: %d", resp.StatusCode)
	}
}

// A run skipped because the lock database was unavailable: /healthz/cron
// answers 503 naming the job and the reason, and the skip is counted
// under its reason (every known reason has a series, 0 until it happens).
func TestCronSkipReasons(t *testing.T) {
	now := time.Now()
	state := status.Snapshot{Started: now, Cron: []status.Job{{ID: "ab12cd34", Command: "bin/report", Gap: time.Hour,
		Skips: 3, SkipsBy: map[string]int{"locked": 1, status.SkipDatabaseUnavailable: 2},
		Skipped: &status.Skip{Scheduled: now, At: now, Reason: status.SkipDatabaseUnavailable, Detail: "lock database postgres://tend:xxxxx@db/app unavailable: connection refused"}}}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return state, nil }))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz/cron"); code != 503 || !strings.Contains(body, "cron ab12cd34 (bin/report): lock database unavailable") {
		t.Errorf("/healthz/cron: %d %q", code, body)
	}
	_, body := get("/metrics")
	for _, want := range []string{
		`tend_cron_skips_total{job="ab12cd34",reason="database-unavailable"} 2`,
		`tend_cron_skips_total{job="ab12cd34",reason="locked"} 1`,
		`tend_cron_skips_total{job="ab12cd34",reason="policy"} 0`,
		`tend_cron_skips_total{job="ab12cd34",reason="lock-error"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	state.Cron[0].Skipped = nil
	if code, body := get("/healthz/cron"); code != 200 {
		t.Errorf("/healthz/cron after a run: %d %q", code, body)
	}
}

// Memory, CPU and recycles per process; every reason from 0; a failed type
// fails /healthz.
func TestLifecycleMetrics(t *testing.T) {
	state := status.Snapshot{Processes: []status.Process{
		{Name: "worker.1", Type: "worker", State: "running", Expected: true, Memory: 1 << 20, CPU: 2.5, Recycles: map[string]int{"memory": 3, "liveness": 1}},
		{Name: "crash.1", Type: "crash", State: status.Failed, Expected: true},
	}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return state, nil }))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`tend_process_resident_memory_bytes{process="worker.1",type="worker"} 1.048576e+06`,
		`tend_process_cpu_seconds_total{process="worker.1",type="worker"} 2.5`,
		`tend_process_recycles_total{process="worker.1",reason="memory",type="worker"} 3`,
		`tend_process_recycles_total{process="worker.1",reason="liveness",type="worker"} 1`,
		`tend_process_recycles_total{process="worker.1",reason="age",type="worker"} 0`,
		`tend_process_recycles_total{process="crash.1",reason="exit0",type="crash"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(body), `tend_process_resident_memory_bytes{process="crash.1"`) {
		t.Errorf("memory of a process that does not run")
	}
	resp, err = http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(msg), "crash.1 is failed") {
		t.Errorf("/healthz with a failed type: %d %q", resp.StatusCode, msg)
	}
}
