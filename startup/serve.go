package startup

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/metrics"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/status"
)

// Serving says where tend answers: the control socket (Socket: --socket,
// "" for the private default) and, if MetricsAddr is set, HTTP.
type Serving struct {
	Root        string
	Socket      string
	MetricsAddr string
	Page        metrics.PageSources
	// Attach serves tend attach (nil: nothing to attach to).
	Attach control.Attacher
}

// Serve starts the control socket and, if asked, the metrics endpoint and
// status page, both answered by do; the returned function stops both. The
// socket is a convenience: when the default location is unusable (a
// read-only file system) tend warns and runs without it; a --socket that
// fails is an error, since it was asked for. An unsafe directory or a live
// tend is always an error.
func Serve(s Serving, do control.Handler, sched *cron.Scheduler, out *output.Mux) (func(), error) {
	path, explicit, err := control.Resolve(s.Socket, s.Root)
	var l net.Listener
	if err == nil {
		l, err = control.Listen(path)
	}
	var stops []func()
	switch {
	case err == nil:
		var run control.Streamer
		if sched != nil {
			run = func(id string, tee *output.Tee, cancel <-chan struct{}) (int, error) {
				st, err := sched.RunNow(id, tee, cancel)
				return st.ExitCode(), err
			}
		}
		go control.Serve(l, do, run, out, s.Attach)
		// Followers of `tend logs` get the last lines, then the end.
		stops = append(stops, func() { out.CloseLogs(time.Second); l.Close() })
	case !explicit && privdir.NoPlace(err):
		out.Errorf("warning: running without a control socket, so tend status, restart, stop, resume, reload and cron run cannot reach this tend: %v; --socket PATH on a writable mount brings it back", err)
	default:
		return nil, err
	}
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
	}
	if s.MetricsAddr != "" {
		ml, err := metrics.Listen(s.MetricsAddr)
		if err != nil {
			stopAll()
			return nil, err
		}
		src := func() (status.Snapshot, error) { return do(status.OpStatus, "") }
		srv := &http.Server{Handler: metrics.WithPage(metrics.Handler(src), src, s.Page), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ml)
		stops = append(stops, func() { srv.Close() })
	}
	return stopAll, nil
}

// OpenHistory opens the cron run history: in memory, plus the --history
// file when one is given (relative paths are taken from the working
// directory, as for every other path flag).
func OpenHistory(path string) (*history.Store, error) {
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("--history %s: %w", path, err)
		}
		path = abs
	}
	store, err := history.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--history %s: %w", path, err)
	}
	return store, nil
}

// WithCronRuns answers status.OpCronRuns (`tend cron logs`) with the kept
// runs of the job named by the target, from runs (nil: no cron), and
// passes everything else to h.
func WithCronRuns(h control.Handler, runs func(job string) []history.Run) control.Handler {
	return func(op, target string) (status.Snapshot, error) {
		if op != status.OpCronRuns {
			return h(op, target)
		}
		snap := status.Snapshot{Pid: os.Getpid()}
		if runs == nil {
			return snap, fmt.Errorf("this tend runs no cron jobs")
		}
		snap.CronRuns = runs(target)
		if snap.CronRuns == nil {
			snap.CronRuns = []history.Run{}
		}
		return snap, nil
	}
}
