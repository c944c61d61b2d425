package cmdline

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Normalize turns what users type into what urfave/cli parses:
//
//   - no command means "start" (the ENTRYPOINT case), and so does "--" alone;
//   - "-- ARGS..." and a first word that is no subcommand mean exec mode,
//     i.e. "exec -- ARGS..." (the hidden ExecCommand);
//   - in "run OPTIONS COMMAND ARGS..." everything from COMMAND on is the
//     command's: a "--" is put before it, so "run ls -la" never reads -la
//     (foreman's "run doesn't parse options for the command");
//   - flags after any other subcommand's positional arguments ("start web
//     -t 10", foreman's habit) are moved before them; "--" ends flags.
func Normalize(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	prog, rest := args[0], args[1:]
	all := allFlags(app)
	i := skipFlags(all, rest)
	// Leading flags go after the subcommand's name: every subcommand
	// understands the app flags, and start and run also -t and the rest.
	leading, rest := rest[:i], rest[i:]
	with := func(words ...string) []string {
		out := append([]string{prog}, words...)
		return append(out, leading...)
	}
	switch {
	case len(rest) == 0:
		if slices.ContainsFunc(leading, isHelpOrVersion) {
			return append([]string{prog}, leading...)
		}
		return with("start")
	case rest[0] == "--":
		if len(rest) == 1 {
			return with("start")
		}
		return append(with(ExecCommand), rest...)
	}
	cmd := findCommand(app, rest[0])
	if cmd == nil {
		if rest[0] == "help" {
			return append([]string{prog}, rest...)
		}
		return append(append(with(ExecCommand), "--"), rest...)
	}
	if cmd.Name == "run" {
		return append(with("run"), commandAfterFlags(cmd.Flags, rest[1:])...)
	}
	if len(cmd.Subcommands) > 0 && len(rest) > 1 {
		for _, sub := range cmd.Subcommands {
			if sub.HasName(rest[1]) {
				return append(with(rest[0], rest[1]), interleave(sub.Flags, rest[2:])...)
			}
		}
		return append([]string{prog}, append(leading, rest...)...)
	}
	return append(with(rest[0]), interleave(cmd.Flags, rest[1:])...)
}

// allFlags lists every flag of the app and its commands, to tell which
// leading flags take a value.
func allFlags(app *cli.App) []cli.Flag {
	flags := append([]cli.Flag{}, app.Flags...)
	for _, c := range app.Commands {
		flags = append(flags, c.Flags...)
		for _, sub := range c.Subcommands {
			flags = append(flags, sub.Flags...)
		}
	}
	return flags
}

func isHelpOrVersion(a string) bool {
	return a == "-h" || a == "--help" || a == "-v" || a == "--version"
}

// findCommand finds the command a user may name; hidden commands (exec)
// are tend's own spelling and never taken from the command line, so
// "tend exec ..." stays exec mode.
func findCommand(app *cli.App, name string) *cli.Command {
	for _, c := range app.Commands {
		if !c.Hidden && c.HasName(name) {
			return c
		}
	}
	return nil
}

// skipFlags returns how many leading arguments are flags (with values).
func skipFlags(flags []cli.Flag, args []string) int {
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return i
		}
		i++
		if takesValue(flags, a) && !strings.Contains(a, "=") && i < len(args) {
			i++
		}
	}
	return i
}

// commandAfterFlags keeps the leading flags of args and puts "--" before
// the first word that is not one, so nothing from there on is parsed.
func commandAfterFlags(flags []cli.Flag, args []string) []string {
	i := skipFlags(flags, args)
	if i == len(args) || args[i] == "--" {
		return args
	}
	return append(append(slices.Clip(args[:i]), "--"), args[i:]...)
}

// interleave moves flags found among positional arguments to the front.
func interleave(flags []cli.Flag, args []string) []string {
	var fl, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		fl = append(fl, a)
		if takesValue(flags, a) && !strings.Contains(a, "=") && i+1 < len(args) {
			i++
			fl = append(fl, args[i])
		}
	}
	return append(fl, pos...)
}

// takesValue reports whether the flag argument a (e.g. "-t", "--env")
// names a flag that is not boolean.
func takesValue(flags []cli.Flag, a string) bool {
	name := strings.TrimLeft(a, "-")
	for _, f := range flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		return !IsBoolish(f)
	}
	return false
}
