package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/status"
)

func load(t *testing.T, files map[string]string) *app.App {
	t.Helper()
	a, err := app.Load(app.Options{Root: testkit.WriteFiles(t, files), Environ: []string{"A=1"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCheckCountsPortsAndCron: the summary has each type's instances and
// port range, the cron job's next runs, and prints them.
func TestCheckCountsPortsAndCron(t *testing.T) {
	a := load(t, map[string]string{
		"Procfile": "web: serve\nworker: work\nrelease: migrate\n",
		"app.json": `{"cron": [{"command": "web --once", "schedule": "0 3 * * *"}]}`,
		".env":     "B=2\n",
	})
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := BuildCheck(app.Settings{Formation: "web=2,worker=1", Port: 7000, PortSet: true}, a, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Processes) != 3 || r.Processes[0].Instances != 2 || r.Processes[0].Port != 7000 || r.Processes[0].LastPort != 7001 {
		t.Fatalf("processes: %+v", r.Processes)
	}
	if r.Processes[2].Name != app.ReleaseType || r.Processes[2].Instances != 0 {
		t.Errorf("release: %+v", r.Processes[2])
	}
	if len(r.Cron) != 1 || len(r.Cron[0].NextRuns) != 5 || r.Cron[0].Next != r.Cron[0].NextRuns[0] {
		t.Fatalf("cron: %+v", r.Cron)
	}
	var b bytes.Buffer
	PrintCheck(&b, r)
	for _, want := range []string{"process types\n", "  web      ×2    serve\n", "  release  once  migrate\n", "ports: web 7000-7001, worker 7100\n",
		"1 cron entries\n", "environment: 2 variables, 1 from "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}

func TestCheckBadFormationIsAUsageError(t *testing.T) {
	a := load(t, map[string]string{"Procfile": "web: serve\n"})
	_, err := BuildCheck(app.Settings{Formation: "web=x"}, a, time.Now(), false)
	if ue := (*app.UsageError)(nil); !errors.As(err, &ue) {
		t.Fatalf("err %v (%T), want app.UsageError", err, err)
	}
}

func TestFailedIsValidJSON(t *testing.T) {
	var b bytes.Buffer
	WriteJSON(&b, Failed(errors.Join(errors.New("one"), errors.New("two"))))
	var back map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if got := back["errors"].([]any); len(got) != 2 || got[1] != "two" {
		t.Errorf("errors %v", got)
	}
	if _, ok := back["warnings"].([]any); !ok {
		t.Errorf("warnings not an empty list: %s", b.String())
	}
}

func TestPrintCronList(t *testing.T) {
	a := load(t, map[string]string{
		"Procfile": "web: serve\n",
		"app.json": `{"cron": [{"command": "a", "schedule": "@daily"}, {"command": "b", "schedule": "@daily", "maintenance": true}]}`,
	})
	list := CronList(a, time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), 1, nil, nil)
	var b bytes.Buffer
	PrintCronList(&b, list)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "next 2024-01-02T00:00:00") || !strings.Contains(lines[1], "maintenance") {
		t.Errorf("list:\n%s", b.String())
	}
}

func TestPrintStatus(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	exit := 3
	remaining := 5 * time.Second
	s := status.Snapshot{Pid: 42, Started: now.Add(-time.Minute),
		Processes: []status.Process{{Name: "web.1", Pid: 7, State: "running", Since: now.Add(-10 * time.Second)}, {Name: "worker.1", State: "exited", Since: now, LastExit: &exit}},
		Cron:      []status.Job{{ID: "x", Schedule: "@daily", Running: []status.Run{{Elapsed: 2 * time.Second, Remaining: &remaining}}}},
	}
	var b bytes.Buffer
	PrintStatus(&b, s, now)
	for _, want := range []string{"tend pid 42, up 1m0s\n", "web.1     7    running  10s", "worker.1  -    exited   0s   0         3", "running 2s, ~5s left"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}

// The lifecycle columns: the group's memory with its limit, CPU, and the
// recycles with the last reason; a failed type is shown as such.
func TestPrintStatusLifecycle(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	s := status.Snapshot{Pid: 42, Started: now.Add(-time.Minute), Processes: []status.Process{
		{Name: "worker.1", Pid: 7, State: "running", Since: now, Memory: 61 << 20, MaxMemory: 512 << 20, CPU: 1.5,
			Recycles: map[string]int{"memory": 2, "exit0": 1}, RecycleCount: 3, LastRecycle: "memory"},
		{Name: "crash.1", State: status.Failed, Since: now},
	}}
	var b bytes.Buffer
	PrintStatus(&b, s, now)
	for _, want := range []string{"MEMORY        CPU    RECYCLES\n", "61.0M/512.0M  1.50s  3 (memory)\n", "crash.1   -    failed   0s   0         -          -             -      0\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}

// tend check reports --restart, --max-memory and --max-age per type, and
// refuses bad values as usage errors.
func TestCheckLifecycle(t *testing.T) {
	a := load(t, map[string]string{"Procfile": "web: w\nworker: q\n"})
	r, err := BuildCheck(app.Settings{Restart: "worker", MaxMemory: "worker=2G", MaxAge: "web=90m"}, a, time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	PrintCheck(&b, r)
	if want := "lifecycle: web recycled after 1h30m0s (less up to 10 %); worker restarted, recycled above 2.00G\n"; !strings.Contains(b.String(), want) {
		t.Errorf("no %q in:\n%s", want, b.String())
	}
	for _, s := range []app.Settings{{MaxMemory: "web=lots"}, {MaxAge: "worker=-1h"}, {MaxAge: "clock=1h"}, {Restart: "web,clock"}} {
		var ue *app.UsageError
		if _, err := BuildCheck(s, a, time.Now(), false); !errors.As(err, &ue) {
			t.Errorf("%+v: %v, want a usage error", s, err)
		}
	}
}

// A job whose latest due run was skipped gets a line saying when and why.
func TestPrintStatusSkipped(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	s := status.Snapshot{Pid: 42, Started: now.Add(-time.Minute), Cron: []status.Job{{ID: "x", Schedule: "@every 1m", Skips: 1,
		Skipped: &status.Skip{Scheduled: now.Add(-5 * time.Second), At: now.Add(-4 * time.Second), Reason: status.SkipDatabaseUnavailable,
			Detail: "lock database postgres://tend:xxxxx@db/app unavailable: connection refused"}}}}
	var b bytes.Buffer
	PrintStatus(&b, s, now)
	want := "x: the run due at 2024-01-01T11:59:55Z was skipped 4s ago: lock database unavailable (lock database postgres://tend:xxxxx@db/app unavailable: connection refused)\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("no %q in:\n%s", want, b.String())
	}
}
