package formation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/app"
)

func TestParseMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512M", 512 << 20, true},
		{"512MiB", 512 << 20, true},
		{"2G", 2 << 30, true},
		{"1.5g", 3 << 29, true},
		{"1T", 1 << 40, true},
		{"1048576", 1 << 20, true},
		{"lots", 0, false},
		{"0", 0, false},
		{"100K", 0, false}, // below 1M: a typo for M
		{"2T", 0, false},
		{"-1G", 0, false},
		{"NaNG", 0, false},
		{"", 0, false},
	} {
		got, err := ParseMemory(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestRestartTypes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		all  bool
		want string
		ok   bool
	}{
		{"", false, "", true},
		{"true", true, "", true},
		{"1", true, "", true},
		{"all", true, "", true},
		{"ALL", true, "", true},
		{"worker,all", true, "", true},
		{"false", false, "", true},
		{"0", false, "", true},
		{"worker, clock", false, "clock,worker", true},
		{"worker;rm", false, "", false},
	} {
		got, err := RestartTypes(tc.in)
		if (err == nil) != tc.ok || tc.ok && (got == nil) != tc.all {
			t.Errorf("RestartTypes(%q) = %v, %v; want all %v, ok %v", tc.in, got, err, tc.all, tc.ok)
			continue
		}
		var names []string
		for _, n := range []string{"clock", "worker"} {
			if got[n] {
				names = append(names, n)
			}
		}
		if !tc.all && strings.Join(names, ",") != tc.want {
			t.Errorf("RestartTypes(%q) = %v, want %s", tc.in, got, tc.want)
		}
	}
}

// The lifecycle settings reach the planned instances.
func TestLifecyclesInInstances(t *testing.T) {
	a := loadPlanApp(t)
	s := app.Settings{Formation: "web=1,worker=2", Restart: "worker", MaxMemory: "worker=512M", MaxAge: "worker=90,web=6h"}
	specs, err := Instances(s, a, nil, NewPorts())
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		want := Lifecycle{MaxAge: 6 * time.Hour}
		if spec.Type == "worker" {
			want = Lifecycle{Restart: true, MaxMemory: 512 << 20, MaxAge: 90 * time.Second}
		}
		if got := (Lifecycle{spec.Restart, spec.MaxMemory, spec.MaxAge}); got != want {
			t.Errorf("%s: %+v, want %+v", spec.Name, got, want)
		}
	}
	for _, bad := range []app.Settings{{MaxAge: "worker=0s"}, {MaxAge: "worker=-1h"}, {MaxMemory: "web=lots"}, {MaxMemory: "release=1G"}, {Restart: "nope"}, {MaxAge: "=1h"}} {
		if _, err := Instances(bad, a, nil, NewPorts()); err == nil {
			t.Errorf("%+v: no error", bad)
		} else if ue := (*app.UsageError)(nil); !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "--") {
			t.Errorf("%+v: %v, want a usage error naming the flag", bad, err)
		}
	}
}

// Lifecycles alone: every type restarts unless --restart names some; the
// errors name the entry, not its text.
func TestLifecycles(t *testing.T) {
	a := loadPlanApp(t)
	got, err := Lifecycles(app.Settings{Restart: "worker", MaxMemory: "web=1G"}, a)
	if err != nil || got["worker"] != (Lifecycle{Restart: true}) || got["web"] != (Lifecycle{MaxMemory: 1 << 30}) {
		t.Errorf("Lifecycles = %+v, %v", got, err)
	}
	if got, err := Lifecycles(app.Settings{Restart: "all"}, a); err != nil || !got["web"].Restart || !got["worker"].Restart {
		t.Errorf("--restart all: %+v, %v", got, err)
	}
	for _, off := range []string{"false", "0", ""} {
		if got, err := Lifecycles(app.Settings{Restart: off}, a); err != nil || got["web"].Restart || got["worker"].Restart {
			t.Errorf("--restart %q: %+v, %v", off, got, err)
		}
	}
	_, err = Lifecycles(app.Settings{Restart: "web,s3cret"}, a)
	if err == nil || err.Error() != "--restart: entry 2 is not a process type of "+a.ProcfilePath+" (its types: web, worker)" {
		t.Errorf("unknown --restart type: %v", err)
	}
}
