package app

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const planAppJSON = `{
  "cron": [
    {"command": "web --once", "schedule": "@hourly"},
    {"command": "bin/report", "schedule": "@daily", "maintenance": true},
  ],
  "formation": {"web": {"quantity": 2}, "worker": {"quantity": 0}},
}`

// loadPlanApp loads a web/worker app with two cron entries (one in
// maintenance) and the environment given.
func loadPlanApp(t *testing.T, environ ...string) *App {
	t.Helper()
	dir := writeFiles(t, map[string]string{
		"Procfile": "web: bin/web -p $PORT\nworker: bin/worker\n",
		"app.json": planAppJSON,
	})
	a, err := Load(Options{Root: dir, Environ: environ})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCronJobRules(t *testing.T) {
	a := loadPlanApp(t)
	jobs, withheld, err := Settings{CronTimeouts: []string{"1h"}}.ScheduledJobs(a)
	if err != nil || withheld != 0 || len(jobs) != 1 || jobs[0].Command != "web --once" || jobs[0].Timeout != time.Hour {
		t.Errorf("jobs %+v, withheld %d, %v; want the one not in maintenance", jobs, withheld, err)
	}
	if jobs, _, _ := (Settings{NoCron: true}).ScheduledJobs(a); len(jobs) != 0 {
		t.Errorf("--no-cron: %v", jobs)
	}
	dyno := loadPlanApp(t, "DYNO=web.1")
	if jobs, withheld, _ := (Settings{}).ScheduledJobs(dyno); len(jobs) != 0 || withheld != 1 {
		t.Errorf("DYNO set: %v, withheld %d", jobs, withheld)
	}
	if jobs, _, _ := (Settings{Cron: true}).ScheduledJobs(dyno); len(jobs) != 1 {
		t.Errorf("DYNO set with --cron: %v", jobs)
	}
	if (Settings{}).CronAllowed(dyno) || !(Settings{Cron: true}).CronAllowed(dyno) || (Settings{NoCron: true}).CronAllowed(a) {
		t.Error("CronAllowed disagrees with ScheduledJobs")
	}
	// An unused --cron-timeout is no error; a used one is.
	if _, _, err := (Settings{CronTimeouts: []string{"0s"}}).ScheduledJobs(loadPlanApp(t)); err == nil {
		t.Error("a bad --cron-timeout for a scheduled job passed")
	}
}

func TestCronCommandRules(t *testing.T) {
	a := loadPlanApp(t, "DYNO=cron.1")
	if got := a.ExpandCommand("web --once"); got != "bin/web -p $PORT --once" {
		t.Errorf("ExpandCommand: %q", got)
	}
	if got := a.ExpandCommand("bin/other x"); got != "bin/other x" {
		t.Errorf("ExpandCommand of a command: %q", got)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	env := a.CronEnv("x1", at, at.Add(time.Hour), 1)
	for _, want := range []string{"PS=cron.x1", "DYNO=cron.x1", "TEND_CRON_ID=x1", "TEND_CRON_SCHEDULED_AT=2026-03-01T10:00:00Z", "TEND_CRON_DEADLINE=2026-03-01T11:00:00Z"} {
		if !slices.Contains(env, want) {
			t.Errorf("CronEnv lacks %s", want)
		}
	}
	if a.DynoType() != "cron" {
		t.Errorf("DynoType %q", a.DynoType())
	}
	job := a.Cron.Jobs[0]
	if j, ok := a.MatchDokkuCron([]string{"web", "--once"}); !ok || j.ID != job.ID {
		t.Errorf("MatchDokkuCron: %v, %v", j, ok)
	}
	if _, ok := a.MatchDokkuCron([]string{"web"}); ok {
		t.Error("MatchDokkuCron matched a prefix")
	}
	if j, err := a.FindJob(job.ID); err != nil || j.Command != "web --once" {
		t.Errorf("FindJob: %v, %v", j, err)
	}
	if _, err := a.FindJob("nope"); err == nil || !strings.Contains(err.Error(), job.ID+" (web --once)") {
		t.Errorf("FindJob of an unknown ID: %v", err)
	}
}

func TestRoot(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, wd},
		{Options{Procfile: "/Procfile"}, "/"},
		{Options{Procfile: "sub/Procfile"}, filepath.Join(wd, "sub")},
		{Options{Procfile: "Procfile"}, wd},
		{Options{Root: "/srv/app", Procfile: "/etc/Procfile"}, "/srv/app"},
	} {
		if got := Root(tc.opts); got != tc.want {
			t.Errorf("Root(%+v) = %q, want %q", tc.opts, got, tc.want)
		}
	}
	if p, err := (Settings{LockDir: "/x/locks"}).LockDirPath("/srv/app"); err != nil || p != "/x/locks" {
		t.Errorf("--lock-dir: %q, %v", p, err)
	}
}

// TestCronFlagValues: --cron-retry, --cron-ping, --cron-log-size and
// --cron-catch-up read for one job, and their bad values are usage errors.
func TestCronFlagValues(t *testing.T) {
	s := Settings{CronRetries: []string{"2", "x1=5"}, CronPings: []string{"https://hc.example/{id}", "x1=https://other.example/p?a=b"}}
	if n, err := s.CronRetry("x1"); err != nil || n != 5 {
		t.Errorf("CronRetry(x1) = %d, %v", n, err)
	}
	if n, err := s.CronRetry("x2"); err != nil || n != 2 {
		t.Errorf("CronRetry(x2) = %d, %v", n, err)
	}
	if u, err := s.CronPing("x2"); err != nil || u.String() != "https://hc.example/x2" {
		t.Errorf("CronPing(x2) = %v, %v", u, err)
	}
	if u, err := s.CronPing("x1"); err != nil || u.String() != "https://other.example/p?a=b" {
		t.Errorf("CronPing(x1) = %v, %v", u, err)
	}
	if u, err := (Settings{}).CronPing("x1"); u != nil || err != nil {
		t.Errorf("no --cron-ping: %v, %v", u, err)
	}
	if s.RetryDelay() != DefaultRetryDelay || (Settings{CronRetryDelay: time.Second}).RetryDelay() != time.Second {
		t.Error("RetryDelay")
	}
	if n, err := (Settings{}).LogSize(); err != nil || n != DefaultCronLogSize {
		t.Errorf("LogSize default = %d, %v", n, err)
	}
	if n, err := (Settings{CronLogSize: "64K"}).LogSize(); err != nil || n != 64<<10 {
		t.Errorf("LogSize 64K = %d, %v", n, err)
	}
	if d, err := (Settings{}).CatchUp(); err != nil || d != 0 {
		t.Errorf("CatchUp off = %v, %v", d, err)
	}
	if d, err := (Settings{CronCatchUp: "1h", History: "h.jsonl"}).CatchUp(); err != nil || d != time.Hour {
		t.Errorf("CatchUp 1h = %v, %v", d, err)
	}
	var ue *UsageError
	for name, err := range map[string]error{
		"--cron-retry 101":             second(Settings{CronRetries: []string{"101"}}.CronRetry("x1")),
		"--cron-ping ftp":              second(Settings{CronPings: []string{"ftp://secret@host/x"}}.CronPing("x1")),
		"--cron-log-size 2M":           second(Settings{CronLogSize: "2M"}.LogSize()),
		"--cron-catch-up sans history": second(Settings{CronCatchUp: "1h"}.CatchUp()),
		"--cron-catch-up x":            second(Settings{CronCatchUp: "x", History: "h"}.CatchUp()),
	} {
		if !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestCheckCronFlags: an ID=… value must name a job of the app by tend's
// ID; CronJobs checks the flags first.
func TestCheckCronFlags(t *testing.T) {
	a := loadPlanApp(t)
	id := a.Cron.Jobs[0].ID
	good := Settings{CronRetries: []string{id + "=1"}, CronTimeouts: []string{id + "=5m"}, CronPings: []string{id + "=https://hc.example/x"}}
	if err := good.CheckCronFlags(a); err != nil {
		t.Fatal(err)
	}
	jobs, err := good.CronJobs(a)
	if err != nil || len(jobs) != 1 || jobs[0].Retries != 1 || jobs[0].Timeout != 5*time.Minute || jobs[0].RetryDelay != DefaultRetryDelay {
		t.Errorf("CronJobs = %+v, %v", jobs, err)
	}
	var ue *UsageError
	for _, bad := range []Settings{
		{CronRetries: []string{"nope=1"}}, {CronTimeouts: []string{"nope=1m"}}, {CronPings: []string{"nope=https://hc.example/"}},
		{CronRetries: []string{"x"}}, {CronLogSize: "lots"}, {CronCatchUp: "1h"},
	} {
		if err := bad.CheckCronFlags(a); !errors.As(err, &ue) {
			t.Errorf("%+v: %v, want a usage error", bad, err)
		}
		if _, err := bad.CronJobs(a); err == nil {
			t.Errorf("CronJobs with %+v: no error", bad)
		}
	}
	if jobs, err := (Settings{}).CronJobs(&App{}); jobs != nil || err != nil {
		t.Errorf("CronJobs without app.json: %v, %v", jobs, err)
	}
}
