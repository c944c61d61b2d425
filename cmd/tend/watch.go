package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/runner"
	"github.com/tend-run/tend/watch"
)

// watchFiles starts --watch: app files changing ask for a reload, files
// matching --watch-path restart the --watch-restart types.
func watchFiles(c *cli.Context, a *app.App, out *output.Mux, reloads chan<- runner.ReloadRequest) (stop func(), err error) {
	files := []string{a.ProcfilePath}
	appJSON := a.AppJSONPath
	if appJSON == "" {
		appJSON = filepath.Join(a.Root, "app.json") // so creating one is noticed
	}
	files = append(files, appJSON)
	envFiles := a.EnvFiles
	if len(envFiles) == 0 {
		envFiles = []string{filepath.Join(a.Root, ".env")}
	}
	files = append(files, envFiles...)
	globs := flagStrings(c, "watch-path")
	restart := strings.Split(flagString(c, "watch-restart"), ",")
	if len(globs) > 0 && flagString(c, "watch-restart") == "" {
		return nil, fmt.Errorf("--watch-path needs --watch-restart TYPES: the types to restart")
	}
	ignore := []string{flagString(c, "lock-dir"), flagString(c, "history")}
	onError := func(err error) { out.Errorf("watch: %v", err) }
	w, err := watch.New(watch.Options{Files: files, Root: a.Root, Globs: globs, Ignore: ignore, OnError: onError})
	if err != nil {
		return nil, err
	}
	// The goroutine ends when Close closes Changes, or when stop is called
	// while it waits for a supervisor that no longer reads reloads.
	done := make(chan struct{})
	ended := make(chan struct{})
	send := func(r runner.ReloadRequest) bool {
		select {
		case reloads <- r:
			return true
		case <-done:
			return false
		}
	}
	go func() {
		defer close(ended)
		for ch := range w.Changes() {
			if ch.Config && !send(runner.ReloadRequest{Reason: "files changed"}) {
				return
			}
			if len(ch.Matched) > 0 && !send(runner.ReloadRequest{Reason: describeMatched(ch.Matched), RestartTypes: restart}) {
				return
			}
		}
	}()
	return func() {
		close(done)
		w.Close()
		<-ended
	}, nil
}

func describeMatched(paths []string) string {
	if len(paths) == 1 {
		return paths[0] + " changed"
	}
	return fmt.Sprintf("%s and %d more changed", paths[0], len(paths)-1)
}
