package proc

import (
	"os/signal"
	"strings"
	"syscall"
)

// ShellPath is the shell that runs commands with shell syntax.
const ShellPath = "/bin/sh"

// Signals ignored when tend started stay ignored in every child, as they
// would under a shell or tini (`nohup tend -- job`: the job must not die of
// the hangup tend forwards). exec(2) keeps an ignored disposition, but tend
// catches these signals itself, and a caught signal is reset to the default
// in the child. Go cannot run code between fork and exec, so a child that
// must keep them ignored starts under /bin/sh, which sets them to ignored
// with `trap ” …` and then execs the command (the command's argv[0] then
// becomes its path). Nothing changes when nothing was ignored, which is the
// usual case: the wrapper costs a shell start.
//
// Only SIGHUP and SIGINT can be seen: Go's runtime keeps an inherited
// SIG_IGN for these two (and so signal.Ignored reports it) but installs its
// own handler over every other signal at start-up. A blocked signal needs
// nothing: the child inherits tend's start-up signal mask.
var ignoredAtStart = ignoredSignalNames()

func ignoredSignalNames() string {
	var names []string
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT} {
		if signal.Ignored(sig) {
			names = append(names, strings.TrimPrefix(SignalName(sig), "SIG"))
		}
	}
	return strings.Join(names, " ")
}

// keepIgnored returns how to start path with args so that the signals
// ignored at tend's start stay ignored: unchanged if there are none, the
// shell's own script with the trap in front if it is a `sh -c` command,
// and otherwise the program exec'd from a shell that set the trap.
func keepIgnored(path string, args []string) (string, []string) {
	if ignoredAtStart == "" {
		return path, args
	}
	trap := "trap '' " + ignoredAtStart + "; "
	if path == ShellPath && len(args) >= 3 && args[1] == "-c" {
		wrapped := append([]string{args[0], args[1], trap + args[2]}, args[3:]...)
		return path, wrapped
	}
	wrapped := append([]string{"sh", "-c", trap + `exec "$0" "$@"`, path}, args[1:]...)
	return ShellPath, wrapped
}
