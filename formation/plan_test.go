package formation

import (
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/internal/testkit"
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
func loadPlanApp(t *testing.T, environ ...string) *app.App {
	t.Helper()
	dir := testkit.WriteFiles(t, map[string]string{
		"Procfile": "web: bin/web -p $PORT\nworker: bin/worker\n",
		"app.json": planAppJSON,
	})
	a, err := app.Load(app.Options{Root: dir, Environ: environ})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func names(t *testing.T, s app.Settings, a *app.App, only ...string) []string {
	t.Helper()
	specs, err := Instances(s, a, only, NewPlanner(s, nil).Ports)
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
	if got := names(t, app.Settings{}, a); !slices.Equal(got, []string{"web.1", "web.2"}) {
		t.Errorf("app.json's formation: %v", got)
	}
	if got := names(t, app.Settings{Formation: "worker=1"}, a); !slices.Equal(got, []string{"worker.1"}) {
		t.Errorf("-m wins: %v", got)
	}
	if got := names(t, app.Settings{}, a, "worker"); !slices.Equal(got, []string{"worker.1"}) {
		t.Errorf("a type named runs at least once: %v", got)
	}
	// In a platform container the platform decides the formation.
	if got := names(t, app.Settings{}, loadPlanApp(t, "DYNO=web.1")); !slices.Equal(got, []string{"web.1", "worker.1"}) {
		t.Errorf("DYNO set: %v", got)
	}
	_, err := ResolveFormation(app.Settings{Formation: "web=x"}, a)
	var ue *app.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("bad -m: %v, want a UsageError", err)
	}
	_, err = Instances(app.Settings{}, a, []string{"nope"}, nil)
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), `no process type "nope"`) {
		t.Errorf("unknown type: %v", err)
	}
}

func TestPortRules(t *testing.T) {
	for _, tc := range []struct {
		s       app.Settings
		environ []string
		want    int
	}{
		{app.Settings{}, nil, 5000},
		{app.Settings{}, []string{"PORT=8000"}, 8000},
		{app.Settings{Port: 9000, PortSet: true}, []string{"PORT=8000"}, 9000},
	} {
		got, err := BasePort(tc.s, loadPlanApp(t, tc.environ...))
		if err != nil || got != tc.want {
			t.Errorf("%+v %v: %d, %v; want %d", tc.s, tc.environ, got, err, tc.want)
		}
	}
	_, err := BasePort(app.Settings{}, loadPlanApp(t, "PORT=s3cret"))
	var ue *app.UsageError
	if !errors.As(err, &ue) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad PORT: %v, want a UsageError without the value", err)
	}
}

func TestPerTypeSettings(t *testing.T) {
	s := app.Settings{StopSignal: "worker=QUIT", SignalLeader: "web", CanDie: "worker", Formation: "all=1"}
	specs, err := Instances(s, loadPlanApp(t), nil, nil)
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

// -x leaves types out of whatever the formation or the named types say; an
// unknown type is a usage error.
func TestExclude(t *testing.T) {
	a := loadPlanApp(t, "DYNO=web.1") // DYNO: app.json's formation is the platform's
	if got := names(t, app.Settings{Exclude: "worker"}, a); !slices.Equal(got, []string{"web.1"}) {
		t.Errorf("-x worker: %v", got)
	}
	if got := names(t, app.Settings{Formation: "all=2", Exclude: "web"}, a); !slices.Equal(got, []string{"worker.1", "worker.2"}) {
		t.Errorf("-m all=2 -x web: %v", got)
	}
	var ue *app.UsageError
	if _, err := Instances(app.Settings{Exclude: "db"}, a, nil, NewPorts()); !errors.As(err, &ue) || !strings.Contains(err.Error(), `no process type "db"`) {
		t.Errorf("-x db: %v", err)
	}
}

// The Planner plans the instances and the scheduled cron jobs, and keeps
// the port layout from one plan to the next.
func TestPlanner(t *testing.T) {
	a := loadPlanApp(t)
	p := NewPlanner(app.Settings{Formation: "web=1,worker=1"}, nil)
	specs, jobs, withheld, err := p.Plan(a)
	if err != nil || len(specs) != 2 || len(jobs) != 1 || withheld != 0 {
		t.Fatalf("Plan = %d specs, %d jobs, %d withheld, %v", len(specs), len(jobs), withheld, err)
	}
	if first, last, ok := p.Ports.Range(5000, "worker"); !ok || first != 5100 || last != 5199 {
		t.Errorf("worker's range %d-%d %v", first, last, ok)
	}
	if _, _, _, err := NewPlanner(app.Settings{}, []string{"nope"}).Plan(a); err == nil {
		t.Error("an unknown type planned")
	}
}
