// Package spec is what the planners (formation, startup, export) hand the
// runner: the instances to run, fully resolved, and at a reload the new
// plan and the requests for one. It holds types and the comparison a
// reload makes between an instance's old spec and its new one; it imports
// none of the engine, so planning does not depend on running.
package spec

import (
	"reflect"
	"slices"
	"syscall"
	"time"

	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/health"
)

// Instance is one process to run, fully resolved.
type Instance struct {
	// Name is the instance name, e.g. "web.1" (also PS and DYNO).
	Name string
	// Type is the process type, e.g. "web".
	Type string
	// Command runs under /bin/sh -c.
	Command string
	// Port is the instance's PORT.
	Port int
	// Env is the instance's complete environment.
	Env []string
	// StopSignal is sent to stop it (default SIGTERM).
	StopSignal syscall.Signal
	// LeaderOnly sends signals to the group leader only, for prefork
	// masters that pass them on to their workers themselves.
	LeaderOnly bool
	// CanDie lets it exit without stopping the others.
	CanDie bool
	// Checks are its type's health checks (app.json's healthchecks).
	Checks []health.Check
	// Restart starts it again when it exits (--restart): at once after an
	// exit 0 (a recycle), after a back-off after a crash.
	Restart bool
	// MaxMemory recycles it when its process group's resident memory is
	// above this many bytes for two samples in a row (0: no limit).
	MaxMemory int64
	// MaxAge recycles it after it has run this long, less a jitter of up
	// to 10 % (0: never).
	MaxAge time.Duration
	// Terminal runs it on a pseudo-terminal held by tend (--tty), which
	// `tend attach` connects to.
	Terminal bool
}

// Change says what a reload that turns old into new takes: restart is the
// phrase for a restart ("restarted (command changed)", "restarted
// (environment changed)"; empty: none needed), checks that only the health
// checks differ. Everything else (stop signal, can-die, the lifecycle
// settings) applies without a restart.
func Change(old, new Instance) (restart string, checks bool) {
	switch {
	case old.Command != new.Command:
		return "restarted (command changed)", false
	case !slices.Equal(old.Env, new.Env):
		return "restarted (environment changed)", false
	}
	return "", !reflect.DeepEqual(old.Checks, new.Checks)
}

// ReloadRequest asks the supervisor to apply changes: a full reload of the
// app's files (RestartTypes empty), or a restart of some process types
// because files they use changed (--watch-path).
type ReloadRequest struct {
	Reason       string
	RestartTypes []string
}

// ReloadPlan is what the app declares after a reload.
type ReloadPlan struct {
	Instances []Instance
	Cron      []cron.Job
	// EnvChanged says the effective environment changed.
	EnvChanged bool
}

// Reloader parses the app's files again; an error leaves everything as it
// was (it has printed the problems itself).
type Reloader func() (ReloadPlan, error)
