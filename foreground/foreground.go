// Package foreground runs one command in the foreground, tini-style, as
// tend run, exec mode (a container's ENTRYPOINT) and tend cron run do: the
// stop signal and grace chosen from the settings, a cron job's lock,
// policy and timeout, and a cron job handed to the tend already running.
package foreground

import (
	"io"
	"time"

	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// ExitLocked is EX_TEMPFAIL: the job's lock is held elsewhere, or the job
// is suspended (tend cron suspend); try later.
const ExitLocked = 75

// Errors is where a foreground run prints tend's own messages: stderr,
// through a queue, so that a stderr nobody reads (the command shares it and
// may have filled it) never holds up a signal or the SIGKILL after -t. A
// closed stderr does not kill tend either (CatchSIGPIPE): the command,
// which has the same stdio, meets the closed pipe itself.
type Errors struct {
	io.Writer
	m *output.Mux
}

// NewErrors queues tend's messages to stderr.
func NewErrors(stdout, stderr io.Writer) *Errors {
	proc.CatchSIGPIPE()
	m := output.NewMux(output.OutputOptions{Stdout: stdout, Stderr: stderr})
	return &Errors{Writer: m.Queued(output.Stderr), m: m}
}

// Done writes what is still queued, waiting a moment at most if stderr is
// stalled, and passes code on.
func (q *Errors) Done(code int) int {
	q.m.Drain(time.Now())
	return code
}
