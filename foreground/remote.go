package foreground

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/status"
)

// Remote runs the job in the tend already running for this app (socket is
// --socket, root the app root), so the run appears in its history and
// output; handled is false when there is none, or it does not schedule
// the job. A socket that fails its checks (an unsafe directory, a server
// or a caller of another user) is an error, not a reason to quietly run
// here. The job's output goes to stdout and stderr; code is its status.
func Remote(socket, root, job string, stdout, stderr io.Writer) (handled bool, code int, err error) {
	path, explicit, err := control.Resolve(socket, root)
	if err != nil {
		if !explicit && privdir.NoPlace(err) {
			return false, 0, nil // no place for a socket, so no tend listens
		}
		return true, 0, err
	}
	resp, err := control.Call(path, control.Request{Op: status.OpStatus})
	switch {
	case errors.Is(err, control.ErrNotRunning):
		return false, 0, nil
	case err != nil:
		return true, 0, err
	case resp.Status == nil:
		return true, 0, fmt.Errorf("%s", resp.Error)
	case !slices.ContainsFunc(resp.Status.Cron, func(j status.Job) bool { return j.ID == job }):
		return false, 0, nil // it does not schedule this job: run it here
	}
	fmt.Fprintf(stderr, "tend: running cron.%s in the running tend (pid %d): its environment and locks apply\n", job, resp.Status.Pid)
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(interrupt)
	last, err := control.CallStream(path, job, stdout, stderr, interrupt)
	switch {
	case err != nil:
		return true, 0, err
	case last.Skipped:
		fmt.Fprintf(stderr, "tend: cron.%s: %s\n", job, last.Error)
		return true, ExitLocked, nil
	case last.Error != "":
		return true, 0, fmt.Errorf("%s", last.Error)
	}
	return true, *last.Exit, nil
}
