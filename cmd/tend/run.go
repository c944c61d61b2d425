package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/runner"
)

// execCommandName is the hidden command that exec mode ("tend ARGS...",
// "tend -- ARGS...") is turned into by normalizeArgs.
const execCommandName = "exec"

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run one command with the app's environment, as a one-off run.N dyno",
		ArgsUsage: "[--] COMMAND [ARGS...]",
		Description: "Options go before COMMAND: from COMMAND on, every word is the command's.\n" +
			"A COMMAND naming a Procfile type runs that type's command with ARGS appended.\n" +
			"One argument with spaces or shell syntax runs under /bin/sh -c; several arguments\n" +
			"are executed directly, unless one is a shell operator (&& || | ; > >> <).\n" +
			"PS and DYNO are set to run.N (N random, as Dokku does) unless DYNO is set.",
		Flags: runFlags(),
		Action: func(c *cli.Context) error {
			return runAction(c, true)
		},
	}
}

// execCommand is exec mode: run without the one-off dyno's name, since
// here tend is a container's init and the platform names the container.
func execCommand() *cli.Command {
	return &cli.Command{
		Name:   execCommandName,
		Hidden: true,
		Flags:  runFlags(),
		Action: func(c *cli.Context) error {
			return runAction(c, false)
		},
	}
}

func runFlags() []cli.Flag {
	return withAppFlags(append(cronFlags(), timeoutFlag(), stopSignalFlag(), signalLeaderFlag())...)
}

// runAction runs the command in c's arguments; oneOff names it a one-off
// dyno (DYNO=run.N), as `heroku run` and `dokku run` do, unless the
// caller set DYNO.
func runAction(c *cli.Context, oneOff bool) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		return &usageError{msg: "missing COMMAND", command: "tend run"}
	}
	opts := loadOptions(c, os.Environ())
	opts.Lenient = true // a broken Procfile must not block `dokku run app bash`
	a, err := app.Load(opts)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	timeout, err := parseTimeout(flagString(c, "timeout"))
	if err != nil {
		return err
	}
	typ := a.DynoType()
	if typ == "cron" {
		// Dokku's own cron starts a container with DYNO=cron.N and the
		// entry's words: give the run its lock, policy and timeout.
		if job, ok := a.MatchDokkuCron(args); ok {
			return runCronJob(c, a, job, false)
		}
	}
	env := a.Env.Environ()
	if _, set := a.Env.Get("DYNO"); oneOff && !set {
		env, typ = oneOffEnv(env), "run" // --stop-signal run=... applies
	}
	settings := settingsFrom(c)
	sigs, err := settings.StopSignals()
	if err != nil {
		return planError(err)
	}
	stop := sigs[typ]
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	errw := execErrors(c)
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	path, argv := a.CommandLine(args)
	return exitCode(errw.done(proc.Exec(proc.ExecConfig{
		Command:    proc.Command{Path: path, Args: argv, Env: env, Dir: a.Root},
		StopSignal: stop, LeaderOnly: app.TypeSet(settings.SignalLeader)[typ],
		Timeout: timeout, Terminal: proc.IsTerminal(os.Stdin),
		ContainerInit: os.Getpid() == 1 || os.Getppid() == 1,
		Reaper:        reaper, Errors: errw,
	})))
}

// execErrors is where exec mode prints tend's own messages: stderr, through
// a queue, so that a stderr nobody reads (the command shares it and may have
// filled it) never holds up a signal or the SIGKILL after -t. A closed
// stderr does not kill tend either (CatchSIGPIPE): the command, which has
// the same stdio, meets the closed pipe itself.
func execErrors(c *cli.Context) *queuedErrors {
	proc.CatchSIGPIPE()
	m := output.NewMux(output.OutputOptions{Stdout: c.App.Writer, Stderr: c.App.ErrWriter})
	return &queuedErrors{Writer: m.Queued(output.Stderr), m: m}
}

type queuedErrors struct {
	io.Writer
	m *output.Mux
}

// done writes what is still queued, waiting a moment at most if stderr is
// stalled, and passes code on.
func (q *queuedErrors) done(code int) int {
	q.m.Drain(time.Now())
	return code
}

// oneOffEnv names the run the way Dokku names `dokku run`'s container:
// PS and DYNO are run.N with N random (no two runs need to agree on it).
func oneOffEnv(env []string) []string {
	name := fmt.Sprintf("run.%d", 1000+rand.IntN(9000))
	return runner.WithEnv(env, "PS="+name, "DYNO="+name)
}
