// Package cmdline is how tend reads its command line with urfave/cli:
// what users type turned into what urfave/cli parses (the default start
// command, exec mode, run's untouched COMMAND, flags after arguments),
// errors in one line with a hint and tend's exit statuses, and flags
// looked up at any level of the command line. cmd/tend defines the
// commands and flags; this package knows nothing of what they do.
package cmdline

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"

	"github.com/tend-run/tend/app"
)

// ExecCommand is the hidden command that exec mode ("tend ARGS...",
// "tend -- ARGS...") is turned into by Normalize.
const ExecCommand = "exec"

// ExitError carries an exit code out of a command's action; Err (if any)
// is printed.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Exit ends an action with code and no message of its own.
func Exit(code int) error {
	if code == 0 {
		return nil
	}
	return &ExitError{Code: code}
}

// Fail ends an action with err and exit status 1 (nil: success).
func Fail(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: 1, Err: err}
}

// Ended ends an action with the exit status of a run, or the error that
// kept it from running (see AppError).
func Ended(code int, err error) error {
	if err != nil {
		return AppError(err)
	}
	return Exit(code)
}

// AppError gives an error of app's rules its exit status: 2 for a flag
// value tend cannot use (app.UsageError), else 1.
func AppError(err error) error {
	if ue := (*app.UsageError)(nil); errors.As(err, &ue) {
		return &ExitError{Code: 2, Err: err}
	}
	return Fail(err)
}

// Report prints what ended a command line (nil: nothing) on stderr and
// returns tend's exit status: a usage error's hint with status 2, an
// ExitError's own status, and 2 for urfave/cli's own errors.
func Report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "tend: %v\n%s\n", ue, ue.Hint())
		return 2
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "tend: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "tend: %v\n", WithoutEnvValue(err))
	return 2
}

// urfaveEnvError is how urfave/cli reports a TEND_* variable it cannot
// parse; its message quotes the value.
var urfaveEnvError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^could not parse ".*" as (\w+) value from environment variable "(\w+)" for flag (\S+):`)
})

// WithoutEnvValue rewrites urfave/cli's error for an unparsable TEND_*
// variable so that it names the variable and not its value: tend never
// prints what the environment holds.
func WithoutEnvValue(err error) error {
	m := urfaveEnvError().FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	if m[1] == "bool" {
		return fmt.Errorf("%s (for --%s) is not a boolean: want 1, true, 0 or false", m[2], m[3])
	}
	return fmt.Errorf("%s (for --%s) is not a valid %s", m[2], m[3], m[1])
}
