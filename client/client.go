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

// Socket is the control socket of the tend running the app at root: the
// --socket flag's path, else the private default.
func Socket(flag, root string) (string, error) {
	path, _, err := control.Resolve(flag, root)
	return path, err
}

// Call sends a request to the running tend at path; what the running tend
// refuses comes back as an error, with its snapshot.
func Call(path string, req control.Request) (*status.Snapshot, error) {
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
func Status(path string, o StatusOptions, w io.Writer) (healthy bool, err error) {
	snap, err := Call(path, control.Request{Op: status.OpStatus})
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
