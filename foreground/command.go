package foreground

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/spawn"
)

// Command is one command to run with the app's environment.
type Command struct {
	Settings app.Settings
	App      *app.App
	// Args are the words of the command (a Procfile type runs its command).
	Args []string
	// OneOff names the run a one-off dyno (DYNO=run.N), as `heroku run`
	// and `dokku run` do, unless the environment sets DYNO.
	OneOff bool
	// Grace is -t: between the stop signal and SIGKILL.
	Grace          time.Duration
	Stdout, Stderr io.Writer
}

// Run runs the command and returns tend's exit status. Dokku's own cron
// (DYNO=cron.N with an entry's words) runs as that job (RunJob). An error
// means nothing ran (an app.UsageError for a flag value).
func (c Command) Run() (int, error) {
	a := c.App
	typ := a.DynoType()
	if typ == "cron" {
		// Dokku's own cron starts a container with DYNO=cron.N and the
		// entry's words: give the run its lock, policy and timeout.
		if job, ok := a.MatchDokkuCron(c.Args); ok {
			return Job{Settings: c.Settings, App: a, Job: job, Grace: c.Grace, Stdout: c.Stdout, Stderr: c.Stderr}.Run()
		}
	}
	env := a.Env.Environ()
	if _, set := a.Env.Get("DYNO"); c.OneOff && !set {
		env, typ = OneOffEnv(env), "run" // --stop-signal run=... applies
	}
	sigs, err := c.Settings.StopSignals()
	if err != nil {
		return 0, err
	}
	stop := sigs[typ]
	if stop == 0 {
		stop = syscall.SIGTERM
	}
	errw := NewErrors(c.Stdout, c.Stderr)
	reaper := proc.NewReaper(nil)
	defer reaper.Close()
	path, argv := a.CommandLine(c.Args)
	return errw.Done(proc.Exec(proc.ExecConfig{
		Command:    proc.Command{Path: path, Args: argv, Env: env, Dir: a.Root},
		StopSignal: stop, LeaderOnly: app.TypeSet(c.Settings.SignalLeader)[typ],
		Timeout: c.Grace, Terminal: proc.IsTerminal(os.Stdin),
		ContainerInit: os.Getpid() == 1 || os.Getppid() == 1,
		Reaper:        reaper, Errors: errw, ExitAfter: true,
	})), nil
}

// OneOffEnv names the run the way Dokku names `dokku run`'s container:
// PS and DYNO are run.N with N random (no two runs need to agree on it).
func OneOffEnv(env []string) []string {
	name := fmt.Sprintf("run.%d", 1000+rand.IntN(9000))
	return spawn.WithEnv(env, "PS="+name, "DYNO="+name)
}
