package startup

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/watch"
)

// Watching is what --watch watches beyond the app's files: files matching
// Globs (--watch-path) restart the Restart types (--watch-restart, comma-
// separated), and the Ignore paths (the lock dir, the history file) never
// count as changes.
type Watching struct {
	Globs   []string
	Restart string
	Ignore  []string
}

// Watch starts --watch: the app's files changing (the Procfile, app.json
// and the env files, watched even before they exist) ask for a reload,
// files matching the globs restart their types. stop ends it.
func Watch(a *app.App, w Watching, out *output.Mux, reloads chan<- spec.ReloadRequest) (stop func(), err error) {
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
	if len(w.Globs) > 0 && w.Restart == "" {
		return nil, fmt.Errorf("--watch-path needs --watch-restart TYPES: the types to restart")
	}
	restart := strings.Split(w.Restart, ",")
	onError := func(err error) { out.Errorf("watch: %v", err) }
	watcher, err := watch.New(watch.Options{Files: files, Root: a.Root, Globs: w.Globs, Ignore: w.Ignore, OnError: onError})
	if err != nil {
		return nil, err
	}
	// The goroutine ends when Close closes Changes, or when stop is called
	// while it waits for a supervisor that no longer reads reloads.
	done := make(chan struct{})
	ended := make(chan struct{})
	send := func(r spec.ReloadRequest) bool {
		select {
		case reloads <- r:
			return true
		case <-done:
			return false
		}
	}
	go func() {
		defer close(ended)
		for ch := range watcher.Changes() {
			if ch.Config && !send(spec.ReloadRequest{Reason: "files changed"}) {
				return
			}
			if len(ch.Matched) > 0 && !send(spec.ReloadRequest{Reason: describeMatched(ch.Matched), RestartTypes: restart}) {
				return
			}
		}
	}()
	return func() {
		close(done)
		watcher.Close()
		<-ended
	}, nil
}

func describeMatched(paths []string) string {
	if len(paths) == 1 {
		return paths[0] + " changed"
	}
	return fmt.Sprintf("%s and %d more changed", paths[0], len(paths)-1)
}
