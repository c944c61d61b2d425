package runner

import (
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// StartPiped starts cmd with its stdout and stderr on pipes that out
// copies under name (and to tee, if not nil). The Mux counts the pipes
// among the output it drains, so every child started here, cron runs and
// hooks included, is waited for by the one Mux.Drain at tend's exit.
func StartPiped(r *proc.Reaper, out *output.Mux, name string, cmd proc.Command, tee *output.Tee) (*proc.Child, error) {
	p, err := out.Pipes(name, tee)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr, cmd.OutputDone = p.Stdout, p.Stderr, p.Done()
	child, err := r.Start(cmd)
	p.Started(err)
	if err != nil {
		return nil, err
	}
	return child, nil
}
