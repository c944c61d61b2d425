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
	child, _, err := startPiped(r, out, name, cmd, tee)
	return child, err
}

// startPiped is StartPiped that also returns the pipes.
func startPiped(r *proc.Reaper, out *output.Mux, name string, cmd proc.Command, tee *output.Tee) (*proc.Child, *output.Pipes, error) {
	p, err := out.Pipes(name, tee)
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr, cmd.OutputDone = p.Stdout, p.Stderr, p.Done()
	child, err := r.Start(cmd)
	p.Started(err)
	if err != nil {
		return nil, nil, err
	}
	return child, p, nil
}
