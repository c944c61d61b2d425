package app

import (
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
