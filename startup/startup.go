// Package startup assembles what `tend start` runs from a loaded app and
// its settings: the plan, the cron scheduler's config and launcher, the
// reloader, the release run and who answers the control socket.
package startup

import (
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/console"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/formation"
	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/runner"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// plan plans a (loaded) app and says which cron jobs it leaves to the
// platform; an error of app's rules comes back as it is.
func Plan(p *formation.Planner, a *app.App, out *output.Mux) ([]spec.Instance, []cron.Job, error) {
	specs, jobs, withheld, err := p.Plan(a)
	if err != nil {
		return nil, nil, err
	}
	if withheld > 0 {
		out.Printf("not running the %d app.json cron jobs: DYNO is set, so the platform runs them (--cron to run them here)", withheld)
	}
	return specs, jobs, nil
}

// Reloader parses the app again for a reload and plans it; the app the
// cron launcher reads becomes the new one. Problems are printed, and an
// error leaves everything running as it was.
func Reloader(opts app.Options, planner *formation.Planner, out *output.Mux, current *atomic.Pointer[app.App]) spec.Reloader {
	return func() (spec.ReloadPlan, error) {
		next, err := app.Load(opts)
		if err != nil {
			for _, line := range app.ErrorLines(err) {
				out.Errorf("%s", line)
			}
			return spec.ReloadPlan{}, err
		}
		specs, jobs, err := Plan(planner, next, out)
		if err != nil {
			out.Errorf("%v", err)
			return spec.ReloadPlan{}, err
		}
		prev := current.Swap(next)
		return spec.ReloadPlan{Instances: specs, Cron: jobs, EnvChanged: !slices.Equal(prev.Env.Environ(), next.Env.Environ())}, nil
	}
}

// ServedBy answers control requests with the supervisor serving holds
// (the release's, then the formation's), or "tend is starting".
func ServedBy(serving *atomic.Pointer[runner.Supervisor]) control.Handler {
	return func(op, target string) (status.Snapshot, error) {
		if s := serving.Load(); s != nil {
			return s.Do(op, target)
		}
		return status.Snapshot{Pid: os.Getpid()}, fmt.Errorf("tend is starting")
	}
}

// AttachTo serves tend attach with the supervisor serving holds.
func AttachTo(serving *atomic.Pointer[runner.Supervisor]) control.Attacher {
	return func(target string) (*console.Session, string, error) {
		if s := serving.Load(); s != nil {
			return s.Attach(target)
		}
		return nil, "", fmt.Errorf("tend is starting")
	}
}

// Keyboard is tend's stdin when what is typed there goes to a process:
// tend runs in the foreground of a terminal (onTerminal) and exactly one
// instance is on a terminal of its own (--tty), as foreman users expect
// of one interactive process. Otherwise nil: tend reads no keys.
func Keyboard(specs []spec.Instance, onTerminal bool) *os.File {
	if !onTerminal || !proc.InForeground() {
		return nil
	}
	n := 0
	for _, s := range specs {
		if s.Terminal {
			n++
		}
	}
	if n != 1 {
		return nil
	}
	return os.Stdin
}

// InstanceNames are the names that will print, for the Mux's padding (with
// release.1 when the release runs first: one padding for the whole run).
func InstanceNames(specs []spec.Instance, jobs []cron.Job, release bool) []string {
	names := []string{}
	for _, s := range specs {
		names = append(names, s.Name)
	}
	for _, j := range jobs {
		names = append(names, j.Name())
	}
	if release {
		names = append(names, "release.1") // last, as before: colours go in order
	}
	return names
}

// FailureHook is the --on-failure hook (nil without one).
func FailureHook(command string, a *app.App, reaper *proc.Reaper, out *output.Mux) *hook.Hook {
	if command == "" {
		return nil
	}
	return &hook.Hook{Command: command, Env: a.Env.Environ(), Dir: a.Root, Timeout: time.Minute, Reaper: reaper, Output: out}
}
