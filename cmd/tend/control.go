package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/metrics"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/status"
)

// socketPath is --socket (explicit), or the default path for the app root,
// which checks the private directory it is in (control.DefaultPath).
func socketPath(c *cli.Context, root string) (path string, explicit bool, err error) {
	if p := flagString(c, "socket"); p != "" {
		return p, true, nil
	}
	path, err = control.DefaultPath(root)
	return path, false, err
}

// noPlace says whether err means that this environment has nowhere to put
// the default socket (a read-only file system, say), which is no reason
// to refuse to run.
func noPlace(err error) bool {
	return errors.Is(err, privdir.ErrNoPlace) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES)
}

func controlCommands() []*cli.Command {
	target := func(name, usage string) *cli.Command {
		return &cli.Command{
			Name: name, Usage: usage, ArgsUsage: "TYPE|INSTANCE",
			Flags: withAppFlags(),
			Action: func(c *cli.Context) error {
				if c.Args().Len() != 1 {
					return &exitError{code: 2, err: fmt.Errorf("usage: tend %s TYPE|INSTANCE", name)}
				}
				op := name
				if name == "resume" {
					op = status.OpStart
				}
				_, err := call(c, control.Request{Op: op, Target: c.Args().First()})
				return err
			},
		}
	}
	return []*cli.Command{
		{
			Name: "status", Usage: "show the processes and cron jobs of the running tend",
			Flags: withAppFlags(
				&cli.BoolFlag{Name: "json", Usage: "print JSON"},
				&cli.BoolFlag{Name: "check", Usage: "exit 0 if every process that should run runs, 1 otherwise (HEALTHCHECK)"},
				&cli.BoolFlag{Name: "cron", Usage: "with --check: also fail when a cron job has not succeeded in time"},
			),
			Action: statusAction,
		},
		target("restart", "restart a process type or instance (graceful stop, then start)"),
		target("stop", "stop a process type or instance; the rest keeps running"),
		target("resume", "start again what `tend stop` stopped, or an exited process"),
		{
			Name: "reload", Usage: "make the running tend apply Procfile, app.json and .env changes",
			Flags: withAppFlags(),
			Action: func(c *cli.Context) error {
				_, err := call(c, control.Request{Op: status.OpReload})
				return err
			},
		},
	}
}

// call sends a request to the running tend of this app.
func call(c *cli.Context, req control.Request) (*status.Snapshot, error) {
	path, _, err := socketPath(c, app.Root(loadOptions(c, nil)))
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	resp, err := control.Call(path, req)
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	if resp.Error != "" {
		return resp.Status, &exitError{code: 1, err: fmt.Errorf("%s", resp.Error)}
	}
	return resp.Status, nil
}

func statusAction(c *cli.Context) error {
	snap, err := call(c, control.Request{Op: status.OpStatus})
	if err != nil {
		return err
	}
	if c.Bool("check") {
		check := status.Processes
		if c.Bool("cron") {
			check |= status.Cron
		}
		ok, why := snap.Healthy(check, time.Now())
		fmt.Fprintln(c.App.Writer, why)
		if !ok {
			return exitCode(1)
		}
		return nil
	}
	if c.Bool("json") {
		writeJSON(c.App.Writer, snap)
		return nil
	}
	printStatus(c.App.Writer, *snap, time.Now())
	return nil
}

func printStatus(w io.Writer, s status.Snapshot, now time.Time) {
	fmt.Fprintf(w, "tend pid %d, up %v\n", s.Pid, now.Sub(s.Started).Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCESS\tPID\tSTATE\tFOR\tRESTARTS\tLAST EXIT")
	for _, p := range s.Processes {
		pid, last := "-", "-"
		if p.Pid != 0 {
			pid = fmt.Sprint(p.Pid)
		}
		if p.LastExit != nil {
			last = fmt.Sprint(*p.LastExit)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\t%s\n", p.Name, pid, p.State, now.Sub(p.Since).Round(time.Second), p.Restarts, last)
	}
	tw.Flush()
	if len(s.Cron) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "CRON\tSCHEDULE\tNEXT\tLAST RUN\tRUNS\tFAILED\tSKIPPED\tNOW")
	for _, j := range s.Cron {
		next, last, running := "-", "-", "-"
		if j.Next != nil {
			next = j.Next.Format(time.RFC3339)
		}
		if j.Last != nil {
			last = fmt.Sprintf("%s (%d) %v, %v ago", j.Last.Outcome, j.Last.ExitCode, j.Last.Duration.Round(time.Millisecond), now.Sub(j.Last.Started).Round(time.Second))
		}
		var parts []string
		for _, r := range j.Running {
			part := fmt.Sprintf("running %v", r.Elapsed.Round(time.Second))
			if r.Remaining != nil {
				part += fmt.Sprintf(", ~%v left", r.Remaining.Round(time.Second))
			}
			parts = append(parts, part)
		}
		if len(parts) > 0 {
			running = strings.Join(parts, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", j.ID, j.Schedule, next, last, j.Runs, j.Failures, j.Skips, running)
	}
	tw.Flush()
}

// serveControl starts the control socket and, if asked, the metrics
// endpoint, both answered by do; the returned function stops both. The socket is a convenience:
// when the default location is unusable (a read-only file system) tend
// warns and runs without it; a --socket that fails is an error, since it
// was asked for. An unsafe directory or a live tend is always an error.
func serveControl(c *cli.Context, root string, do control.Handler, sched *cron.Scheduler, out *output.Mux, page metrics.PageSources) (func(), error) {
	path, explicit, err := socketPath(c, root)
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
		go control.Serve(l, do, run)
		stops = append(stops, func() { l.Close() })
	case !explicit && noPlace(err):
		out.Errorf("warning: running without a control socket, so tend status, restart, stop, resume, reload and cron run cannot reach this tend: %v; --socket PATH on a writable mount brings it back", err)
	default:
		return nil, err
	}
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
	}
	if addr := flagString(c, "metrics-addr"); addr != "" {
		ml, err := metrics.Listen(addr)
		if err != nil {
			stopAll()
			return nil, err
		}
		src := func() (status.Snapshot, error) { return do(status.OpStatus, "") }
		srv := newHTTPServer(metrics.WithPage(metrics.Handler(src), src, page))
		go srv.Serve(ml)
		stops = append(stops, func() { srv.Close() })
	}
	return stopAll, nil
}

// runCronRemote runs the job in the tend already running for this app, so
// the run appears in its history and output; false when there is none. A
// socket that fails its checks (an unsafe directory, a server or a caller
// of another user) is an error, not a reason to quietly run here.
func runCronRemote(c *cli.Context, a *app.App, job string) (bool, error) {
	path, explicit, err := socketPath(c, a.Root)
	if err != nil {
		if !explicit && noPlace(err) {
			return false, nil // no place for a socket, so no tend listens
		}
		return true, &exitError{code: 1, err: err}
	}
	resp, err := control.Call(path, control.Request{Op: status.OpStatus})
	switch {
	case errors.Is(err, control.ErrNotRunning):
		return false, nil
	case err != nil:
		return true, &exitError{code: 1, err: err}
	case resp.Status == nil:
		return true, &exitError{code: 1, err: fmt.Errorf("%s", resp.Error)}
	case !slices.ContainsFunc(resp.Status.Cron, func(j status.Job) bool { return j.ID == job }):
		return false, nil // it does not schedule this job: run it here
	}
	fmt.Fprintf(c.App.ErrWriter, "tend: running cron.%s in the running tend (pid %d): its environment and locks apply\n", job, resp.Status.Pid)
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(interrupt)
	last, err := control.CallStream(path, job, c.App.Writer, c.App.ErrWriter, interrupt)
	switch {
	case err != nil:
		return true, &exitError{code: 1, err: err}
	case last.Skipped:
		fmt.Fprintf(c.App.ErrWriter, "tend: cron.%s: %s\n", job, last.Error)
		return true, exitCode(exitLocked)
	case last.Error != "":
		return true, &exitError{code: 1, err: fmt.Errorf("%s", last.Error)}
	}
	return true, exitCode(*last.Exit)
}
