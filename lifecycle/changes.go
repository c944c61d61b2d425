package lifecycle

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tend-run/tend/cron"
)

// CronChanges describes how the cron jobs changed.
func CronChanges(old, new []cron.Job) string {
	ids := func(jobs []cron.Job) map[string]cron.Job {
		m := map[string]cron.Job{}
		for _, j := range jobs {
			m[j.ID] = j
		}
		return m
	}
	o, n := ids(old), ids(new)
	added, removed, updated := 0, 0, 0
	for id, j := range n {
		prev, ok := o[id]
		switch {
		case !ok:
			added++
		case prev.Policy != j.Policy || prev.Timeout != j.Timeout:
			updated++
		}
	}
	for id := range o {
		if _, ok := n[id]; !ok {
			removed++
		}
	}
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{added, "added"}, {removed, "removed"}, {updated, "updated"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d cron entries %s", p.n, p.verb))
		}
	}
	return strings.Join(parts, ", ")
}

// Changes collects what a reload did, per process type, for one line.
type Changes struct {
	order []string
	byTyp map[string][]string
	// Other are phrases about more than a type (cron, the environment).
	Other []string
}

// NewChanges is an empty log.
func NewChanges() *Changes { return &Changes{byTyp: map[string][]string{}} }

// Add says what happened to typ (each phrase once, in order).
func (c *Changes) Add(typ, what string) {
	if _, ok := c.byTyp[typ]; !ok {
		c.order = append(c.order, typ)
	}
	if !slices.Contains(c.byTyp[typ], what) {
		c.byTyp[typ] = append(c.byTyp[typ], what)
	}
}

// EnvChanged folds the restarts the environment caused into one phrase.
func (c *Changes) EnvChanged() {
	var restarted []string
	for _, typ := range c.order {
		if i := slices.Index(c.byTyp[typ], "restarted (environment changed)"); i >= 0 {
			c.byTyp[typ] = slices.Delete(c.byTyp[typ], i, i+1)
			restarted = append(restarted, typ)
		}
	}
	c.order = slices.DeleteFunc(c.order, func(typ string) bool { return len(c.byTyp[typ]) == 0 })
	if len(restarted) > 0 {
		c.Other = append([]string{"environment changed: restarted " + strings.Join(restarted, ", ")}, c.Other...)
	}
}

// String is the log in one line (empty: nothing changed).
func (c *Changes) String() string {
	var parts []string
	for _, typ := range c.order {
		parts = append(parts, typ+" "+strings.Join(c.byTyp[typ], ", "))
	}
	return strings.Join(append(parts, c.Other...), ", ")
}
