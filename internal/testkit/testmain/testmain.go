// Package testmain is the TestMain of every package's tests: it runs them in
// a process that does not sleep before it exits. It imports nothing of tend's,
// so that any package's tests can use it (testkit imports proc, whose own
// tests could not import testkit).
//
// A binary built with -race sleeps atexit_sleep_ms (1 s by default) before it
// exits with status 0, in every test binary: about 1 s of each package's
// time, 43 s of a `go test -race ./...` that does nothing. The race runtime
// reads GORACE when the process starts, before TestMain, so Main starts the
// test binary again, in the same process (exec), with atexit_sleep_ms=0
// added to GORACE. The binary still exits through the race runtime's end
// (a race found still fails the test and makes the binary exit 66); only the
// sleep goes.
package testmain

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// Main runs the tests of m and exits with their status, in a process that
// does not sleep at exit (see NoExitSleep).
func Main(m *testing.M) {
	NoExitSleep()
	os.Exit(m.Run())
}

// NoExitSleep makes sure the process does not sleep before it exits: in a
// race build whose GORACE does not set atexit_sleep_ms, it execs the running
// binary again with the same arguments and atexit_sleep_ms=0 added to
// GORACE (the other options kept), and does not return. Otherwise, or if the
// exec fails, it returns and the tests run here. A TestMain that does more
// than run m calls it first.
func NoExitSleep() {
	gorace, ok := gorace(raceEnabled, os.Getenv("GORACE"))
	if !ok {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, withVar(os.Environ(), "GORACE", gorace))
}

// withVar is env with name set to value, once: the race runtime reads the
// first GORACE of the environment, not the last as os.Getenv does.
func withVar(env []string, name, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != name {
			out = append(out, kv)
		}
	}
	return append(out, name+"="+value)
}

// gorace is the GORACE to start again with, and whether to start again: only
// in a race build whose GORACE does not say how long to sleep at exit.
func gorace(race bool, current string) (string, bool) {
	if !race {
		return "", false
	}
	for _, opt := range strings.Fields(current) {
		if name, _, _ := strings.Cut(opt, "="); name == "atexit_sleep_ms" {
			return "", false
		}
	}
	return strings.TrimSpace(strings.TrimSpace(current) + " atexit_sleep_ms=0"), true
}
