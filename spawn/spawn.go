// Package spawn starts children whose output goes through tend's Mux, and
// builds their environments: the formation's instances, cron runs, the
// release phase and the --on-failure hook all start this way.
package spawn

import (
	"slices"
	"strings"

	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/proc"
)

// StartPiped starts cmd with its stdout and stderr on pipes that out
// copies under name (and to tee, if not nil). The Mux counts the pipes
// among the output it drains, so every child started here, cron runs and
// hooks included, is waited for by the one Mux.Drain at tend's exit.
func StartPiped(r *proc.Reaper, out *output.Mux, name string, cmd proc.Command, tee *output.Tee) (*proc.Child, *output.Pipes, error) {
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

// WithEnv returns env with the given "K=V" pairs set, replacing earlier
// values of the same keys.
func WithEnv(env []string, set ...string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		key, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(set, func(s string) bool { return strings.HasPrefix(s, key+"=") }) {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}
