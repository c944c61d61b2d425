package main

import (
	"fmt"
	"net"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/metrics"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/privdir"
	"github.com/tend-run/tend/report"
	"github.com/tend-run/tend/status"
)

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
	path, _, err := control.Resolve(flagString(c, "socket"), app.Root(loadOptions(c, nil)))
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
		report.WriteJSON(c.App.Writer, snap)
		return nil
	}
	report.PrintStatus(c.App.Writer, *snap, time.Now())
	return nil
}

// serveControl starts the control socket and, if asked, the metrics
// endpoint, both answered by do; the returned function stops both. The socket is a convenience:
// when the default location is unusable (a read-only file system) tend
// warns and runs without it; a --socket that fails is an error, since it
// was asked for. An unsafe directory or a live tend is always an error.
func serveControl(c *cli.Context, root string, do control.Handler, sched *cron.Scheduler, out *output.Mux, page metrics.PageSources) (func(), error) {
	path, explicit, err := control.Resolve(flagString(c, "socket"), root)
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
