package spec

import (
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/health"
)

func TestChange(t *testing.T) {
	base := Instance{Name: "web.1", Type: "web", Command: "serve", Env: []string{"A=1"},
		Checks: []health.Check{{Type: health.Liveness, Path: "/up"}}}
	for _, tc := range []struct {
		name    string
		edit    func(*Instance)
		restart string
		checks  bool
	}{
		{"same", func(*Instance) {}, "", false},
		{"command", func(i *Instance) { i.Command = "serve --fast" }, "restarted (command changed)", false},
		{"environment", func(i *Instance) { i.Env = []string{"A=2"} }, "restarted (environment changed)", false},
		{"command and environment", func(i *Instance) { i.Command, i.Env = "x", nil }, "restarted (command changed)", false},
		{"checks", func(i *Instance) { i.Checks = nil }, "", true},
		{"checks and command", func(i *Instance) { i.Checks, i.Command = nil, "x" }, "restarted (command changed)", false},
		{"in place", func(i *Instance) {
			i.StopSignal, i.CanDie, i.Restart, i.MaxMemory, i.MaxAge, i.Port = syscall.SIGINT, true, true, 1<<20, time.Hour, 5100
		}, "", false},
	} {
		next := base
		next.Env = append([]string(nil), base.Env...)
		next.Checks = append([]health.Check(nil), base.Checks...)
		tc.edit(&next)
		restart, checks := Change(base, next)
		if restart != tc.restart || checks != tc.checks {
			t.Errorf("%s: Change = %q, %v; want %q, %v", tc.name, restart, checks, tc.restart, tc.checks)
		}
	}
}
