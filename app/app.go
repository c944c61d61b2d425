// Package app is the app as tend sees it: it loads everything the app
// declares (the Procfile; app.json's cron entries, formation and health
// checks; the environment from .env files and the real environment),
// knowing where each came from, so errors and `tend check` can name the
// file and line; and it holds tend's Settings (the flag values, read once)
// with the rules that apply them to the loaded app's cron entries: the
// scheduler's jobs, their timeouts, retries, pings, locks and suspensions.
// Which instances of the process types run, on which ports, is package
// formation's.
package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/envfile"
	"github.com/tend-run/tend/proc"
	"github.com/tend-run/tend/procfile"
	"github.com/tend-run/tend/zone"
)

// Options says where to find the app's files. Empty fields take defaults.
type Options struct {
	// Root is the app root (-d). Default: the Procfile's directory.
	Root string
	// Procfile is the Procfile's path (-f). Default: Root/Procfile, or
	// ./Procfile when Root is empty too.
	Procfile string
	// AppJSON is app.json's path (--app-json); when empty, Root/app.json is
	// read if it exists. An explicit path must exist.
	AppJSON string
	// EnvFiles are the .env files in order (-e); when nil, Root/.env is read
	// if it exists. Listed files must exist.
	EnvFiles []string
	// AppName is Dokku's app name, for Dokku's cron IDs.
	AppName string
	// Environ is the real environment ("K=V"), which overrides the files.
	Environ []string
	// Lenient turns Procfile and app.json errors into warnings (exec mode:
	// `dokku run app bash` is how people fix a broken Procfile).
	Lenient bool
}

// App is a loaded app.
type App struct {
	Root         string
	ProcfilePath string
	// NoProcfile: the default Procfile does not exist (a cron-only app).
	NoProcfile bool
	// AppJSONPath is "" when the app has no app.json.
	AppJSONPath string
	EnvFiles    []string
	AppName     string
	Processes   []procfile.Entry
	// Cron is nil when there is no app.json.
	Cron *appjson.File
	Env  *envfile.Env
	// Location is the default zone for cron schedules: TZ read as the C
	// library reads it, else UTC.
	Location *time.Location
	Warnings []string
}

// Load reads and validates the app. It reports the problems it finds,
// joined, rather than stopping at the first: at most MaxProblems of them,
// then a count of the rest; warnings are cut the same way.
func Load(opts Options) (*App, error) {
	a := &App{AppName: opts.AppName}
	a.resolvePaths(opts)
	var errs []error
	env, err := envfile.Merge(a.EnvFiles, opts.Environ)
	if err != nil {
		return nil, limitErrors(err) // without the environment nothing else can be judged
	}
	a.Env = env
	// TZ matters to tend only for cron: a value it cannot read must never
	// stop the processes (their C library copes with it in its own way).
	a.Location = time.UTC
	tzErr := error(nil)
	if tz, ok := env.Get("TZ"); ok {
		tzdir, _ := env.Get("TZDIR")
		if a.Location, tzErr = zone.Load(tz, tzdir); tzErr != nil {
			a.Location = time.UTC
		}
	}
	var declErrs []error
	a.Processes, err = procfile.ParseFile(a.ProcfilePath)
	// A missing or empty Procfile is fine when app.json has cron entries
	// (a container that only runs scheduled jobs); judged below. A -f
	// PATH must exist, as --app-json and -e files must.
	a.NoProcfile = opts.Procfile == "" && errors.Is(err, fs.ErrNotExist)
	if err != nil && !a.NoProcfile && !errors.Is(err, procfile.ErrNoEntries) {
		declErrs = append(declErrs, err)
	}
	if a.AppJSONPath != "" {
		if a.Cron, err = appjson.Load(a.AppJSONPath, appjson.Options{Location: a.Location}); err != nil {
			declErrs = append(declErrs, err)
		} else {
			declErrs = append(declErrs, a.healthcheckErrors()...)
			a.Warnings = append(a.Warnings, a.Cron.Warnings...)
			if tzErr != nil && len(a.Cron.Jobs) > 0 {
				a.Warnings = append(a.Warnings, fmt.Sprintf("TZ: %v; cron schedules use UTC", tzErr))
			}
		}
	}
	if len(declErrs) == 0 && len(a.Processes) == 0 && !a.hasCron() {
		declErrs = append(declErrs, a.nothingToRun())
	}
	if opts.Lenient {
		for _, e := range flatten(errors.Join(declErrs...)) {
			a.Warnings = append(a.Warnings, e.Error())
		}
	} else {
		errs = append(errs, declErrs...)
	}
	if err := limitErrors(errs...); err != nil {
		return nil, err
	}
	a.Warnings = limitLines(a.Warnings, "warnings")
	return a, nil
}

// ErrNothingToRun: no process types and no cron entries.
var ErrNothingToRun = errors.New("nothing to run")

func (a *App) hasCron() bool { return a.Cron != nil && len(a.Cron.Jobs) > 0 }

// nothingToRun says why an app without process types cannot start.
func (a *App) nothingToRun() error {
	procs := "no process types in " + a.ProcfilePath
	if a.NoProcfile {
		path := a.ProcfilePath
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		procs = "no Procfile at " + path
	}
	cron := "no app.json"
	if a.AppJSONPath != "" {
		cron = "no cron entries in " + a.AppJSONPath
	}
	return fmt.Errorf("%s and %s: %w", procs, cron, ErrNothingToRun)
}

// Root is the absolute app root opts name, found without reading any
// file (tend status must work while the Procfile is being edited): -d,
// else the Procfile's directory, else the working directory.
func Root(opts Options) string {
	root := opts.Root
	switch {
	case root != "":
	case opts.Procfile != "":
		root = filepath.Dir(opts.Procfile)
	default:
		root = "."
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return root
}

func (a *App) resolvePaths(opts Options) {
	a.Root = Root(opts)
	switch {
	case opts.Procfile != "":
		a.ProcfilePath = opts.Procfile
	case opts.Root != "":
		a.ProcfilePath = filepath.Join(opts.Root, "Procfile")
	default:
		a.ProcfilePath = "Procfile"
	}
	a.AppJSONPath = opts.AppJSON
	if a.AppJSONPath == "" {
		if p := filepath.Join(a.Root, "app.json"); exists(p) {
			a.AppJSONPath = relative(p)
		}
	}
	a.EnvFiles = opts.EnvFiles
	if a.EnvFiles == nil {
		if p := filepath.Join(a.Root, ".env"); exists(p) {
			a.EnvFiles = []string{relative(p)}
		}
	}
}

// relative shortens p to a path relative to the working directory when it
// lies below it, so messages say "app.json:3" rather than a long path.
func relative(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return !errors.Is(err, fs.ErrNotExist)
}

// DokkuWarnings are the places where Dokku would run the app differently
// than tend does: its host cron (app.json) and its ENTRYPOINT word
// splitting (Procfile). They matter to people who deploy to Dokku, so
// `tend check` groups them by kind and `tend start` prints them only in a
// Dokku container.
func (a *App) DokkuWarnings() []string {
	var out []string
	if a.Cron != nil {
		out = append(out, a.Cron.DokkuWarnings...)
	}
	return append(out, a.EntrypointWarnings()...)
}

// InDokku reports whether env looks like a Dokku container: DYNO or a
// DOKKU_ variable is set.
func InDokku(env []string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, "DYNO=") || strings.HasPrefix(kv, "DOKKU_") {
			return true
		}
	}
	return false
}

// EntrypointWarnings explains how Dokku's ENTRYPOINT mode (commands split
// into words without a shell) would change the Procfile's commands: at
// most MaxProblems lines, then a count of the rest.
func (a *App) EntrypointWarnings() []string {
	var out []string
	for _, p := range a.Processes {
		for _, w := range procfile.SplitWarnings(p.Command) {
			out = append(out, fmt.Sprintf("%s:%d: %s: %s (only with a Dokku ENTRYPOINT)", a.ProcfilePath, p.Line, p.Name, w))
		}
	}
	return out
}

// ReleaseType is never started as a long-running process (Heroku's rule).
const ReleaseType = "release"

// Process returns the Procfile entry named name.
func (a *App) Process(name string) (procfile.Entry, bool) {
	for _, p := range a.Processes {
		if p.Name == name {
			return p, true
		}
	}
	return procfile.Entry{}, false
}

// Formation returns app.json's formation (nil when it has none).
func (a *App) Formation() map[string]int {
	if a.Cron == nil {
		return nil
	}
	return a.Cron.Formation
}

// CommandLine decides how `tend run` and exec mode execute args. A
// Procfile type's command with the other args appended, and a single
// argument, are command lines: they run the way `tend start` runs a
// Procfile command (proc.ShellCommand: plain words directly, anything a
// shell would treat specially under /bin/sh -c). Several words run under
// /bin/sh -c, joined, when one of them is a stand-alone operator
// (procfile.IsShellOperator); otherwise they are executed directly, as given.
func (a *App) CommandLine(args []string) (path string, argv []string) {
	if p, ok := a.Process(args[0]); ok {
		return proc.ShellCommand(strings.Join(append([]string{p.Command}, args[1:]...), " "))
	}
	if len(args) == 1 {
		return proc.ShellCommand(args[0])
	}
	if slices.ContainsFunc(args, procfile.IsShellOperator) {
		return shell(strings.Join(args, " "))
	}
	return args[0], args
}

func shell(script string) (string, []string) {
	return proc.ShellPath, []string{"sh", "-c", script}
}
