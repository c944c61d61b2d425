// Package proc owns one child process: fork and exec, the one wait4 (the
// Reaper), its process group and what it leaves behind, its exit status,
// the signals tend catches and passes on, the terminal, and exec mode (one
// command run tini-style).
//
// # One waiter
//
// Every child tend starts goes through one Reaper, and the Reaper is the only
// code in the process that calls wait4. It forks each child while holding its
// lock and registers the pid before releasing it; its loop reaps with
// wait4(-1, WNOHANG|WUNTRACED) under the same lock whenever SIGCHLD arrives (plus a slow
// sweep, because SIGCHLDs coalesce). So a status can never arrive for a pid
// that is not registered yet, and no other waiter can take it: an exit status
// is delivered to the Child that owns the pid, and a pid nobody owns is an
// orphan that was re-parented to tend (as PID 1 or as a subreaper) and is
// merely reaped. This is why the package never uses os/exec: exec.Cmd.Wait
// would race the reaper for statuses. Output comes through pipes the caller
// owns, so nothing needs Cmd.Wait.
//
// # Process groups
//
// Each supervised child leads its own process group, so a stop signal reaches
// the shell and everything it started. Descendants that left their group with
// setsid are found after the fact: on Linux tend is a child subreaper, so they
// are re-parented to it and can be signalled by parent pid (see Leftovers).
package proc
