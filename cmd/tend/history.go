package main

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/history"
)

// openHistory opens the cron run history: in memory, plus the --history
// file when one is given (relative paths are taken from the working
// directory, as for every other path flag).
func openHistory(c *cli.Context) (*history.Store, error) {
	path := flagString(c, "history")
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("--history %s: %w", path, err)
		}
		path = abs
	}
	store, err := history.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--history %s: %w", path, err)
	}
	return store, nil
}
