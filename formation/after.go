package formation

import (
	"maps"
	"slices"
	"strings"

	"github.com/tend-run/tend/app"
)

// AfterOrder reads --after ("worker=web,clock=web,clock=worker"): for each
// type, the types whose instances must all be ready (or running, for a type
// without readiness checks) before it starts. Every type must be in the
// Procfile, and the order must have no cycle.
func AfterOrder(s app.Settings, a *app.App) (map[string][]string, error) {
	after := map[string][]string{}
	for _, p := range app.Pairs(s.After) {
		if p.Key == "" || p.Value == "" {
			return nil, app.UsageErrorf("--after: entry %d is not TYPE=TYPE", p.Entry)
		}
		for _, typ := range []string{p.Key, p.Value} {
			if _, ok := a.Process(typ); !ok {
				return nil, app.UsageErrorf("--after: no process type %q in %s", typ, a.ProcfilePath)
			}
		}
		if p.Key == p.Value {
			return nil, app.UsageErrorf("--after: %s cannot wait for itself", p.Key)
		}
		if !slices.Contains(after[p.Key], p.Value) {
			after[p.Key] = append(after[p.Key], p.Value)
		}
	}
	if cycle := findCycle(after); cycle != nil {
		return nil, app.UsageErrorf("--after: %s wait for each other, so none would start", strings.Join(cycle, " → "))
	}
	return after, nil
}

// findCycle returns the types of a cycle in the waits-for graph, the first
// repeated at the end, or nil.
func findCycle(after map[string][]string) []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(string) []string
	visit = func(t string) []string {
		switch state[t] {
		case onPath:
			i := slices.Index(path, t)
			return append(slices.Clone(path[i:]), t)
		case done:
			return nil
		}
		state[t] = onPath
		path = append(path, t)
		for _, dep := range after[t] {
			if c := visit(dep); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		state[t] = done
		return nil
	}
	for _, t := range slices.Sorted(maps.Keys(after)) {
		if c := visit(t); c != nil {
			return c
		}
	}
	return nil
}
