package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// restartValue is --restart's value: bare it means every type (as it
// always has), and --restart=TYPES names some. IsBoolFlag makes the flag
// package take "--restart" alone as "--restart=true", so "--restart -m
// web=2" still reads -m as an option rather than as --restart's value.
type restartValue struct{ v string }

// Set keeps the value; it is judged with the Procfile (formation.Lifecycles),
// so that an error names the entry, not the value (urfave/cli would quote
// TEND_RESTART's).
func (r *restartValue) Set(s string) error {
	r.v = strings.TrimSpace(s)
	return nil
}

func (r *restartValue) String() string { return r.v }

// IsBoolFlag tells the flag package that the flag may stand alone.
func (r *restartValue) IsBoolFlag() bool { return true }

// lifecycleFlags are --restart, --max-memory and --max-age (start and
// check), and the hidden --memory-sample-every (start).
func lifecycleFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "restart", Value: &restartValue{}, Usage: "restart exited processes of every type, or with `[=TYPES]` of those only (an exit 0 starts again at once; a crash after 1s doubling to 30s; gives up on the type after 10 quick crashes)", EnvVars: []string{"TEND_RESTART"}},
		&cli.StringFlag{Name: "max-memory", Usage: "recycle an instance whose process group holds more memory, e.g. `worker=512M`", EnvVars: []string{"TEND_MAX_MEMORY"}},
		&cli.StringFlag{Name: "max-age", Usage: "recycle an instance after it has run this long (less up to 10 %), e.g. `worker=6h`", EnvVars: []string{"TEND_MAX_AGE"}},
	}
}

// restartFlag reads --restart as it was given ("" when not).
func restartFlag(c *cli.Context) string {
	ctx, _ := lookup(c, "restart")
	if g, ok := ctx.Generic("restart").(*restartValue); ok && g != nil {
		return g.v
	}
	return ""
}

// isBoolish says a flag may stand alone, without a value.
func isBoolish(f cli.Flag) bool {
	if _, ok := f.(*cli.BoolFlag); ok {
		return true
	}
	if g, ok := f.(*cli.GenericFlag); ok {
		b, ok := g.Value.(interface{ IsBoolFlag() bool })
		return ok && b.IsBoolFlag()
	}
	return false
}
