package cmdline

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// UsageError is a command line tend cannot read. It is reported in one
// line plus where to read more, never with the whole help text.
type UsageError struct {
	Msg string
	// Command is what the hint names: "tend run" gives "tend run --help".
	Command string
}

func (e *UsageError) Error() string { return e.Msg }

// Hint is the line printed after the message.
func (e *UsageError) Hint() string {
	return fmt.Sprintf("Try '%s --help' for more information.", e.Command)
}

// SetUsageErrors gives the app and every command, subcommands included, a
// usage-error handler: urfave/cli would print the whole help text. args
// are the arguments being parsed, for the user's spelling of options.
func SetUsageErrors(app *cli.App, args []string) {
	app.OnUsageError = usageHandler("tend", args)
	var walk func(cmds []*cli.Command, parent string)
	walk = func(cmds []*cli.Command, parent string) {
		for _, c := range cmds {
			name := parent + " " + c.Name
			if c.Name == ExecCommand {
				name = "tend run" // exec mode has run's options and help
			}
			c.OnUsageError = usageHandler(name, args)
			walk(c.Subcommands, name)
		}
	}
	walk(app.Commands, "tend")
}

func usageHandler(command string, args []string) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		return &ExitError{Code: 2, Err: &UsageError{Msg: usageMessage(WithoutEnvValue(err).Error(), args), Command: command}}
	}
}

// flagMessages rewrite the flag package's errors (which always name an
// option "-name") in tend's words; %s is the option as the user wrote it.
var flagMessages = []struct{ prefix, format string }{
	{"flag provided but not defined: -", "unknown option %s"},
	{"flag needs an argument: -", "option %s needs a value"},
}

// usageMessage turns a parse error into what the user can act on.
func usageMessage(msg string, args []string) string {
	for _, m := range flagMessages {
		if name, ok := strings.CutPrefix(msg, m.prefix); ok {
			return fmt.Sprintf(m.format, spelling(name, args))
		}
	}
	// `invalid value "x" for flag -p: parse error`
	if before, after, ok := strings.Cut(msg, " for flag -"); ok {
		name, rest, _ := strings.Cut(after, ":")
		return before + " for option " + spelling(name, args) + ":" + rest
	}
	return msg
}

// spelling finds how the user wrote the option called name ("--yolo",
// "-yolo", "--env=x" gives "--env"); options end at "--".
func spelling(name string, args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		opt, _, _ := strings.Cut(a, "=")
		if strings.HasPrefix(opt, "-") && strings.TrimLeft(opt, "-") == name {
			return opt
		}
	}
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
