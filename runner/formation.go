package runner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ProcessType is one Procfile entry as the runner needs it.
type ProcessType struct {
	Name    string
	Command string
}

// ReleaseType is never started as a long-running process (Heroku's rule).
const ReleaseType = "release"

// Formation says how many instances of each type run. Types not in Counts
// run All instances; All is 1 when no formation was given (foreman's habit)
// and 0 once any count is given, unless set explicitly with "all=N".
type Formation struct {
	Counts map[string]int
	All    int
}

// ParseFormation reads foreman's -m syntax: "web=2,worker=1,all=0".
func ParseFormation(spec string) (Formation, error) {
	f := Formation{Counts: map[string]int{}, All: 0}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, num, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if !ok || err != nil || n < 0 {
			return Formation{}, fmt.Errorf("invalid formation %q: want name=N with N >= 0, e.g. web=2,worker=1", part)
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return Formation{}, fmt.Errorf("invalid formation %q: missing process type", part)
		}
		if name == "all" {
			f.All = n
			continue
		}
		f.Counts[name] = n
	}
	return f, nil
}

// Count is how many instances of typ run.
func (f Formation) Count(typ string) int {
	if n, ok := f.Counts[typ]; ok {
		return n
	}
	return f.All
}

// InstanceSpec is one process to run, fully resolved.
type InstanceSpec struct {
	// Name is the instance name, e.g. "web.1" (also PS and DYNO).
	Name string
	// Type is the process type, e.g. "web".
	Type string
	// Command runs under /bin/sh -c.
	Command string
	// Port is the instance's PORT.
	Port int
	// Env is the instance's complete environment.
	Env []string
	// StopSignal is sent to stop it (default SIGTERM).
	StopSignal syscall.Signal
	// LeaderOnly sends signals to the group leader only, for prefork
	// masters that pass them on to their workers themselves.
	LeaderOnly bool
	// CanDie lets it exit without stopping the others.
	CanDie bool
}

// PlanOptions gives what Plan needs besides the types.
type PlanOptions struct {
	Formation Formation
	// BasePort is web's port; other types take blocks of 100 after it.
	BasePort int
	// Env is the app's environment ("K=V"); PORT, PS and DYNO are added.
	Env []string
	// StopSignals and LeaderOnly are per type.
	StopSignals map[string]syscall.Signal
	LeaderOnly  map[string]bool
	CanDie      map[string]bool
	// Blocks keeps each type's port block for the life of a run: Plan
	// fills it, and a later Plan with the same map gives existing types
	// their old blocks and new types the next free ones (nil: fresh).
	Blocks map[string]int
}

// Plan lists the instances to run in Procfile order. web always gets the
// base port block, so the platform's router finds web.1 on $PORT wherever
// web sits; the other types get blocks of 100 in Procfile order, release
// excluded (and never planned).
func Plan(types []ProcessType, opts PlanOptions) []InstanceSpec {
	var out []InstanceSpec
	blocks := opts.Blocks
	if blocks == nil {
		blocks = map[string]int{}
	}
	for _, t := range types {
		if t.Name == ReleaseType {
			continue
		}
		block, ok := blocks[t.Name]
		if !ok {
			block = nextBlock(blocks, t.Name)
			blocks[t.Name] = block
		}
		base := opts.BasePort + 100*block
		for i := 1; i <= opts.Formation.Count(t.Name); i++ {
			name := fmt.Sprintf("%s.%d", t.Name, i)
			port := base + i - 1
			sig := opts.StopSignals[t.Name]
			if sig == 0 {
				sig = syscall.SIGTERM
			}
			out = append(out, InstanceSpec{
				Name: name, Type: t.Name, Command: t.Command, Port: port,
				Env:        WithEnv(opts.Env, "PORT="+strconv.Itoa(port), "PS="+name, "DYNO="+name),
				StopSignal: sig, LeaderOnly: opts.LeaderOnly[t.Name], CanDie: opts.CanDie[t.Name],
			})
		}
	}
	return out
}

// nextBlock is web's block 0, or the first block after every block taken.
func nextBlock(blocks map[string]int, typ string) int {
	if typ == "web" {
		return 0
	}
	next := 1
	for _, b := range blocks {
		next = max(next, b+1)
	}
	return next
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

// ParsePerType reads "worker=QUIT,web=TERM" style settings into a map.
func ParsePerType(spec string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("invalid setting %q: want type=value", part)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}
