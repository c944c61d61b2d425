// Package formation decides which instances of the app's process types
// run and how, at start and at every reload: the formation (-m, else
// app.json's), the port layout (foreman's blocks of 100), the per-type
// settings (stop signal, --restart, --max-memory, --max-age, --tty, health
// checks) and the start order (--after). It turns an app.App and the
// app.Settings into the instances the runner runs (spec.Instance).
package formation

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/spec"
)

// ProcessType is one Procfile entry as the runner needs it.
type ProcessType struct {
	Name    string
	Command string
}

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
	for _, p := range app.Pairs(spec) {
		n, err := strconv.Atoi(p.Value)
		if p.Value == "" || err != nil || n < 0 {
			return Formation{}, fmt.Errorf("invalid formation: entry %d is not name=N with N >= 0 (e.g. web=2,worker=1)", p.Entry)
		}
		if p.Key == "" {
			return Formation{}, fmt.Errorf("invalid formation: entry %d has no process type", p.Entry)
		}
		if p.Key == "all" {
			f.All = n
			continue
		}
		f.Counts[p.Key] = n
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
	// Terminal are the types on a pseudo-terminal (--tty).
	Terminal map[string]bool
	// Checks are the health checks per type.
	Checks map[string][]health.Check
	// Lifecycles are --restart, --max-memory and --max-age per type.
	Lifecycles map[string]Lifecycle
	// Ports keeps each type's ports for the life of a run: Plan fills it,
	// and a later Plan with the same Ports gives existing types their old
	// ports and new types the next free ones (nil: a fresh layout).
	Ports *Ports
}

// Ports is the port layout of a run: each type owns a range of whole
// blocks of 100 ports (foreman's layout), one block unless it has more
// than 100 instances. When that layout would go past port 65535 (hundreds
// of types), the blocks are 10 ports, or 1. Ranges never overlap, so no
// two instances share a PORT; the block size stays for the run.
type Ports struct {
	ranges map[string]blockRange
	size   int // ports per block; 0 until the first layout
}

// blockSizes are tried in turn for a fresh layout.
var blockSizes = []int{100, 10, 1}

// Range is the first and last port of typ's range, if it has one.
func (p *Ports) Range(base int, typ string) (first, last int, ok bool) {
	r, ok := p.ranges[typ]
	return base + p.size*r.first, base + p.size*(r.first+r.n) - 1, ok
}

// blockRange is blocks first to first+n-1.
type blockRange struct{ first, n int }

func (r blockRange) overlaps(o blockRange) bool {
	return r.first < o.first+o.n && o.first < r.first+r.n
}

// NewPorts is an empty layout.
func NewPorts() *Ports { return &Ports{ranges: map[string]blockRange{}} }

// blocksFor is how many blocks of size ports count instances need.
func blocksFor(count, size int) int { return max(1, (count+size-1)/size) }

// Plan lists the instances to run in Procfile order. web always gets the
// base port block, so the platform's router finds web.1 on $PORT wherever
// web sits; the other types get blocks of 100 in Procfile order, release
// excluded (and never planned): foreman's layout (blocks of 10 or 1 when
// that would not fit, see Ports). A type with more than
// 100 instances takes as many blocks as it needs, and the types after it
// move up. It is an error when a type's instances outgrow its range at a
// reload (the next type's ports are in use) or a port exceeds 65535; the
// layout is then unchanged.
func Plan(types []ProcessType, opts PlanOptions) ([]spec.Instance, error) {
	ports := opts.Ports
	if ports == nil {
		ports = NewPorts()
	}
	size := ports.size
	if size == 0 { // a fresh layout: the largest blocks that fit
		for _, size = range blockSizes {
			if layout, err := ports.extend(types, opts.Formation, opts.BasePort, size); err == nil && lastPort(layout, opts.BasePort, size) <= 65535 {
				break
			}
		}
	}
	layout, err := ports.extend(types, opts.Formation, opts.BasePort, size)
	if err != nil {
		return nil, err
	}
	var out []spec.Instance
	env := withoutKeys(opts.Env, "PORT", "PS", "DYNO")
	for _, t := range types {
		if t.Name == app.ReleaseType {
			continue
		}
		base := opts.BasePort + size*layout[t.Name].first
		for i := 1; i <= opts.Formation.Count(t.Name); i++ {
			name := fmt.Sprintf("%s.%d", t.Name, i)
			port := base + i - 1
			if port > 65535 {
				return nil, fmt.Errorf("%s would get port %d, above 65535: choose a lower base port (-p or PORT)", name, port)
			}
			lc := opts.Lifecycles[t.Name]
			sig := opts.StopSignals[t.Name]
			if sig == 0 {
				sig = syscall.SIGTERM
			}
			out = append(out, spec.Instance{
				Name: name, Type: t.Name, Command: t.Command, Port: port,
				Env:        append(slices.Clip(env), "PORT="+strconv.Itoa(port), "PS="+name, "DYNO="+name),
				StopSignal: sig, LeaderOnly: opts.LeaderOnly[t.Name], CanDie: opts.CanDie[t.Name], Checks: opts.Checks[t.Name],
				Restart: lc.Restart, MaxMemory: lc.MaxMemory, MaxAge: lc.MaxAge,
				Terminal: opts.Terminal[t.Name],
			})
		}
	}
	ports.ranges, ports.size = layout, size
	return out, nil
}

// withoutKeys is env without the entries of keys: what spawn.WithEnv
// keeps of env before it appends the keys' new values, worked out once for
// every instance rather than once each (with 1000 types, spawn.WithEnv's
// scans were 5 of the plan's 7.5 ms).
func withoutKeys(env []string, keys ...string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		key, _, _ := strings.Cut(kv, "=")
		return slices.Contains(keys, key)
	})
}

// lastPort is the last port of a layout's ranges.
func lastPort(layout map[string]blockRange, base, size int) int {
	end := 0
	for _, r := range layout {
		end = max(end, r.first+r.n)
	}
	return base + size*end - 1
}

// extend returns the layout with every type placed and sized for its
// count, without changing p: existing types keep their first block (web's
// is 0), new ones go after every range taken.
func (p *Ports) extend(types []ProcessType, f Formation, base, size int) (map[string]blockRange, error) {
	layout := maps.Clone(p.ranges)
	if layout == nil {
		layout = map[string]blockRange{}
	}
	// web first: it must start at block 0, however many blocks it needs.
	order := slices.Clone(types)
	slices.SortStableFunc(order, func(a, b ProcessType) int {
		return boolInt(b.Name == "web") - boolInt(a.Name == "web")
	})
	end := 1 // the first block after every range taken (block 0 is web's)
	for _, o := range layout {
		end = max(end, o.first+o.n)
	}
	for _, t := range order {
		if t.Name == app.ReleaseType {
			continue
		}
		want := blocksFor(f.Count(t.Name), size)
		r, placed := layout[t.Name]
		switch {
		case placed && r.n >= want:
			continue
		case placed:
			r.n = want // grow in place: its running instances keep their ports
		case t.Name == "web":
			r = blockRange{0, want}
		default:
			r = blockRange{end, want} // after everything: nothing to overlap
		}
		if placed || t.Name == "web" {
			if err := overlapping(layout, t.Name, r, f, base, size); err != nil {
				return nil, err
			}
		}
		layout[t.Name] = r
		end = max(end, r.first+r.n)
	}
	return layout, nil
}

// overlapping is the error for a range r of name that overlaps another
// type's in layout (the first by name), or nil.
func overlapping(layout map[string]blockRange, name string, r blockRange, f Formation, base, size int) error {
	for _, other := range slices.Sorted(maps.Keys(layout)) {
		if o := layout[other]; other != name && r.overlaps(o) {
			return fmt.Errorf("%d instances of %s need ports %d-%d, but %s has had ports %d-%d since tend started: restart tend to lay the ports out again",
				f.Count(name), name, base+size*r.first, base+size*(r.first+r.n)-1, other, base+size*o.first, base+size*(o.first+o.n)-1)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
