package lifecycle

import "slices"

// The decisions about the whole formation, over its members in the
// supervisor's order.

// LivePerType counts the live members of each type.
func LivePerType(ms []*Member) map[string]int {
	live := map[string]int{}
	for _, m := range ms {
		if m.Live() {
			live[m.Spec.Type]++
		}
	}
	return live
}

// TypeUp says every member of typ is up.
func TypeUp(ms []*Member, typ string) bool {
	for _, m := range ms {
		if m.Spec.Type == typ && !m.Removed && !m.Up() {
			return false
		}
	}
	return true
}

// DepsUp says every type in deps (a type's --after) is up.
func DepsUp(ms []*Member, deps []string) bool {
	for _, dep := range deps {
		if !TypeUp(ms, dep) {
			return false
		}
	}
	return true
}

// TypeSteady says every member of typ that should run is up: the ones
// stopped by the user, given up on, held or waiting for a change do not
// count.
func TypeSteady(ms []*Member, typ string) bool {
	for _, m := range ms {
		if m.Spec.Type != typ || m.Removed || m.UserStopped || m.Life.Failed || m.Held || m.Waiting {
			continue
		}
		if !m.Up() {
			return false
		}
	}
	return true
}

// LastExitCode is tend's exit code once everything has exited on its own:
// the last nonzero exit code in the formation's order (0: none).
func LastExitCode(ms []*Member) int {
	code := 0
	for _, m := range ms {
		if c := m.LastStatus.ExitCode(); c != 0 {
			code = c
		}
	}
	return code
}

// Roll takes the recycles whose turn it is, one member of a type at a
// time: a type's next goes once every member of the type that should run
// is up (TypeSteady). It counts them and resets their back-off, and
// returns their indices, to be replaced; a recycle of a member that is
// not live is dropped, since it is being started again anyway.
func Roll(ms []*Member, b Backoff) []int {
	var types []string
	for _, m := range ms {
		if m.Life.Pending == "" {
			continue
		}
		if !m.Live() {
			m.Life.Pending = ""
			continue
		}
		if !slices.Contains(types, m.Spec.Type) {
			types = append(types, m.Spec.Type)
		}
	}
	var next []int
	for _, typ := range types {
		if !TypeSteady(ms, typ) {
			continue
		}
		for i, m := range ms {
			if m.Spec.Type == typ && m.Life.Pending != "" {
				m.Life.Count(m.Life.Pending)
				m.Life.Pending = ""
				m.Life.Reset(b)
				next = append(next, i)
				break
			}
		}
	}
	return next
}
