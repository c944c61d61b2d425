package cmdline

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Lookup finds the value of a flag set at any level of c's lineage (the
// subcommand first), so "tend -f P start" and "tend start -f P" agree.
func Lookup(c *cli.Context, name string) (*cli.Context, bool) {
	for _, ctx := range c.Lineage() {
		if ctx.Command == nil && ctx.App == nil {
			continue
		}
		if slices.Contains(ctx.LocalFlagNames(), name) {
			return ctx, true
		}
	}
	return c, false
}

// String is a string flag's value, set at any level (see Lookup).
func String(c *cli.Context, name string) string {
	ctx, _ := Lookup(c, name)
	return ctx.String(name)
}

// Strings is a string-slice flag's values, commas splitting them too.
func Strings(c *cli.Context, name string) []string {
	ctx, _ := Lookup(c, name)
	var out []string
	for _, v := range ctx.StringSlice(name) {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// Args are the command's arguments, commas splitting them too
// ("web,worker").
func Args(c *cli.Context) []string {
	var out []string
	for _, a := range c.Args().Slice() {
		for part := range strings.SplitSeq(a, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// OptionalValue is a flag's value that may be left out: bare the flag
// is "true" (--restart: every type), and --flag=VALUE gives VALUE
// (--restart=web: those types). IsBoolFlag makes the flag package take "--restart" alone as
// "--restart=true", so "--restart -m web=2" still reads -m as an option
// rather than as --restart's value.
type OptionalValue struct{ v string }

// Set keeps the value as given; it is judged later (for --restart, with
// the Procfile, so that an error names the entry, not the value: urfave/cli
// would quote TEND_RESTART's).
func (r *OptionalValue) Set(s string) error {
	r.v = strings.TrimSpace(s)
	return nil
}

func (r *OptionalValue) String() string { return r.v }

// IsBoolFlag tells the flag package that the flag may stand alone.
func (r *OptionalValue) IsBoolFlag() bool { return true }

// Optional reads an OptionalValue flag as it was given ("" when not).
func Optional(c *cli.Context, name string) string {
	ctx, _ := Lookup(c, name)
	if g, ok := ctx.Generic(name).(*OptionalValue); ok && g != nil {
		return g.v
	}
	return ""
}

// IsBoolish says a flag may stand alone, without a value.
func IsBoolish(f cli.Flag) bool {
	if _, ok := f.(*cli.BoolFlag); ok {
		return true
	}
	if g, ok := f.(*cli.GenericFlag); ok {
		b, ok := g.Value.(interface{ IsBoolFlag() bool })
		return ok && b.IsBoolFlag()
	}
	return false
}

// EnvVars are the variables (TEND_*) of every flag of every command.
func EnvVars(a *cli.App) []string {
	var names []string
	add := func(flags []cli.Flag) {
		for _, f := range flags {
			if e, ok := f.(interface{ GetEnvVars() []string }); ok {
				names = append(names, e.GetEnvVars()...)
			}
		}
	}
	add(a.Flags)
	var walk func([]*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			add(c.Flags)
			walk(c.Subcommands)
		}
	}
	walk(a.Commands)
	return names
}
