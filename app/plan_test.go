package app

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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

func names(t *testing.T, s Settings, a *App, only ...string) []string {
	t.Helper()
	specs, err := s.Instances(a, only, NewPlanner(s, nil).Ports)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sp := range specs {
		out = append(out, sp.Name)
	}
	return out
}

func TestFormationRules(t *testing.T) {
	a := loadPlanApp(t)
	if got := names(t, Settings{}, a); !slices.Equal(got, []string{"web.1", "web.2"}) {
		t.Errorf("app.json's formation: %v", got)
	}
	if got := names(t, Settings{Formation: "worker=1"}, a); !slices.Equal(got, []string{"worker.1"}) {
		t.Errorf("-m wins: %v", got)
	}
	if got := names(t, Settings{}, a, "worker"); !slices.Equal(got, []string{"worker.1"}) {
		t.Errorf("a type named runs at least once: %v", got)
	}
	// In a platform container the platform decides the formation.
	if got := names(t, Settings{}, loadPlanApp(t, "DYNO=web.1")); !slices.Equal(got, []string{"web.1", "worker.1"}) {
		t.Errorf("DYNO set: %v", got)
	}
	_, err := Settings{Formation: "web=x"}.ResolveFormation(a)
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Errorf("bad -m: %v, want a UsageError", err)
	}
	_, err = Settings{}.Instances(a, []string{"nope"}, nil)
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), `no process type "nope"`) {
		t.Errorf("unknown type: %v", err)
	}
}

func TestPortRules(t *testing.T) {
	for _, tc := range []struct {
		s       Settings
		environ []string
		want    int
	}{
		{Settings{}, nil, 5000},
		{Settings{}, []string{"PORT=8000"}, 8000},
		{Settings{Port: 9000, PortSet: true}, []string{"PORT=8000"}, 9000},
	} {
		got, err := tc.s.BasePort(loadPlanApp(t, tc.environ...))
		if err != nil || got != tc.want {
			t.Errorf("%+v %v: %d, %v; want %d", tc.s, tc.environ, got, err, tc.want)
		}
	}
	_, err := Settings{}.BasePort(loadPlanApp(t, "PORT=s3cret"))
	var ue *UsageError
	if !errors.As(err, &ue) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad PORT: %v, want a UsageError without the value", err)
	}
}

func TestPerTypeSettings(t *testing.T) {
	s := Settings{StopSignal: "worker=QUIT", SignalLeader: "web", CanDie: "worker", Formation: "all=1"}
	specs, err := s.Instances(loadPlanApp(t), nil, nil)
	if err != nil || len(specs) != 2 {
		t.Fatal(specs, err)
	}
	web, worker := specs[0], specs[1]
	if web.StopSignal != syscall.SIGTERM || !web.LeaderOnly || web.CanDie {
		t.Errorf("web: %+v", web)
	}
	if worker.StopSignal != syscall.SIGQUIT || worker.LeaderOnly || !worker.CanDie {
		t.Errorf("worker: %+v", worker)
	}
	if web.Port != 5000 || worker.Port != 5100 {
		t.Errorf("ports %d and %d", web.Port, worker.Port)
	}
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

// -x leaves types out of whatever the formation or the named types say; an
// unknown type is a usage error.
func TestExclude(t *testing.T) {
	a := loadPlanApp(t, "DYNO=web.1") // DYNO: app.json's formation is the platform's
	if got := names(t, Settings{Exclude: "worker"}, a); !slices.Equal(got, []string{"web.1"}) {
		t.Errorf("-x worker: %v", got)
	}
	if got := names(t, Settings{Formation: "all=2", Exclude: "web"}, a); !slices.Equal(got, []string{"worker.1", "worker.2"}) {
		t.Errorf("-m all=2 -x web: %v", got)
	}
	var ue *UsageError
	if _, err := (Settings{Exclude: "db"}).Instances(a, nil, NewPorts()); !errors.As(err, &ue) || !strings.Contains(err.Error(), `no process type "db"`) {
		t.Errorf("-x db: %v", err)
	}
}
