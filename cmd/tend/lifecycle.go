package main

import (
	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/cmdline"
)

// lifecycleFlags are --restart, --max-memory and --max-age (start and
// check), and the hidden --memory-sample-every (start).
func lifecycleFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "restart", Value: &cmdline.OptionalValue{}, Usage: "restart exited processes of every type, or with `[=TYPES]` of those only (an exit 0 starts again at once; a crash after 1s doubling to 30s; gives up on the type after 10 quick crashes)", EnvVars: []string{"TEND_RESTART"}},
		&cli.StringFlag{Name: "max-memory", Usage: "recycle an instance whose process group holds more memory, e.g. `worker=512M`", EnvVars: []string{"TEND_MAX_MEMORY"}},
		&cli.StringFlag{Name: "max-age", Usage: "recycle an instance after it has run this long (less up to 10 %), e.g. `worker=6h`", EnvVars: []string{"TEND_MAX_AGE"}},
	}
}
