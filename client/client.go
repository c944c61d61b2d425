// Package client holds what the commands that act on a running tend do
// once their flags are read: `tend status`, restart, stop, resume and
// reload, `tend logs` and `tend attach` talk to its control socket; `tend
// cron logs` asks it for past runs (else reads the history file), and
// `tend cron list`, suspend and resume read and write the state every tend
// of the app shares (the lock dir or the --lock-url database). Functions
// take plain arguments and writers; cmd/tend keeps the flags.
package client

import (
	"fmt"
	"io"
	"time"

	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

// Tend is the running tend of the app at Root, reached on the Socket the
// --socket flag names ("": the private default).
type Tend struct {
	Socket, Root string
}

// path is where its control socket is.
func (t Tend) path() (string, error) {
	path, _, err := control.Resolve(t.Socket, t.Root)
	return path, err
}

// Call sends a request to the running tend; what it refuses comes back as
// an error, with its snapshot.
func (t Tend) Call(req control.Request) (*status.Snapshot, error) {
	path, err := t.path()
	if err != nil {
		return nil, err
	}
	resp, err := control.Call(path, req)
	if err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return resp.Status, fmt.Errorf("%s", resp.Error)
	}
	return resp.Status, nil
}

// StatusOptions are the flags of `tend status`.
type StatusOptions struct {
	JSON bool
	// Check prints only the verdict on the processes (and with Cron, the
	// cron jobs), for a HEALTHCHECK.
	Check, Cron bool
}

// Status prints the running tend's processes and cron jobs to w; with
// Check, healthy says the verdict (always true without it).
func (t Tend) Status(o StatusOptions, w io.Writer) (healthy bool, err error) {
	snap, err := t.Call(control.Request{Op: status.OpStatus})
	if err != nil {
		return false, err
	}
	if o.Check {
		check := status.Processes
		if o.Cron {
			check |= status.Cron
		}
		ok, why := snap.Healthy(check, time.Now())
		fmt.Fprintln(w, why)
		return ok, nil
	}
	if o.JSON {
		report.WriteJSON(w, snap)
		return true, nil
	}
	report.PrintStatus(w, *snap, time.Now())
	return true, nil
}
