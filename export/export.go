// Package export turns a parsed app (its process types, formation, stop
// signals, timeout and cron entries) into the definitions another
// scheduler runs: systemd units and timers, a supervisord config,
// Kubernetes Deployments and CronJobs, or a crontab. Every exported
// process runs through tend (`tend run TYPE`, `tend cron run ID`), so env
// files, locks, policies and timeouts behave as under `tend start`.
//
// The package works from plain values (App), not from the command line or
// the runner, and returns files and warnings; writing them is Write's job.
// What a target cannot express is never dropped silently: it is written
// as a comment in the output and returned as a warning.
package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/schedule"
)

// App is what an export needs to know about an app.
type App struct {
	// Name prefixes every unit, program and object; see ValidName.
	Name string
	// Root is the app root: the working directory of every process.
	Root string
	// Tend is the path of the tend executable the exported definitions run.
	Tend string
	// Flags are the app-file flags each tend command gets (-f PROCFILE,
	// -d ROOT, ...), already absolute.
	Flags []string
	// User runs the processes (systemd User=, supervisord user=, the
	// crontab's user field); empty: the scheduler's default.
	User string
	// Image is the container image (Kubernetes only).
	Image string
	// Timeout is the grace between the stop signal and SIGKILL (-t).
	Timeout time.Duration
	// Types are the Procfile's process types in file order.
	Types []Type
	// Cron are app.json's cron entries in file order.
	Cron []CronJob
	// Source names the files the app came from, for the header comments.
	Source string
	// PATH is the PATH a crontab sets.
	PATH string
	// LockURL says tend runs with --lock-url. Its value holds the
	// database's password, so it is never written: the exported cron
	// commands need TEND_LOCK_URL from the scheduler's environment.
	LockURL bool
	// CatchUp is --cron-catch-up: a run missed while nothing ran the app,
	// within this long, is run late (systemd Persistent=, Kubernetes
	// startingDeadlineSeconds). 0: none.
	CatchUp time.Duration
}

// Type is one process type and its share of the formation.
type Type struct {
	Name    string
	Command string
	// Ports are the PORT of each instance, as tend start assigns them;
	// len(Ports) is the type's count in the formation (0: not run).
	Ports []int
	// StopSignal is the type's graceful stop signal (0: SIGTERM).
	StopSignal syscall.Signal
	// Checks are app.json's health checks of the type.
	Checks []health.Check
}

// CronJob is one cron entry.
type CronJob struct {
	ID          string
	Command     string
	Schedule    *schedule.Schedule
	Policy      appjson.Policy
	Maintenance bool
	// Timeout is the run limit (--cron-timeout; 24h by default).
	Timeout time.Duration
	// StopSignal is the signal that stops a run (cron's; 0: SIGTERM).
	StopSignal syscall.Signal
	// Line is where the entry is in app.json (0: unknown).
	Line int
}

// File is one exported file: a name relative to the output directory.
type File struct {
	Name string
	Data []byte
}

// Result is an export's files and what it could not express.
type Result struct {
	Files    []File
	Warnings []string
}

func (r *Result) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// checksLeftOut notes, for a target without health checks, that t's were
// not exported: a comment (with the comment marker) and a warning.
func (r *Result) checksLeftOut(target, marker string, t Type) string {
	if len(t.Checks) == 0 {
		return ""
	}
	r.warn("%s: %d health checks left out: %s has no health checks (the kubernetes export has them as probes)", t.Name, len(t.Checks), target)
	return fmt.Sprintf("%s %s: %d health checks from app.json are not exported: %s has none\n", marker, t.Name, len(t.Checks), target)
}

// lockURLLeftOut notes, when the app's cron locks are in a database
// (--lock-url) and there are cron jobs, that the URL was not written: a
// comment saying how the target passes TEND_LOCK_URL on, and a warning.
func (r *Result) lockURLLeftOut(a App, marker, how string) string {
	if !a.LockURL || len(a.Cron) == 0 {
		return ""
	}
	r.warn("--lock-url is not written into the export (it holds the database password): %s", how)
	return fmt.Sprintf("%s --lock-url is not written here (it holds the database password): %s\n", marker, how)
}

// timeNow is the clock, for "never fires".
var timeNow = time.Now

// Formats are the export formats, for usage messages.
var Formats = []string{"systemd", "supervisord", "kubernetes", "crontab"}

// ErrUnknownFormat is returned by Export for a format not in Formats.
var ErrUnknownFormat = errors.New("unknown export format")

// Export runs the exporter of format.
// The name is checked for every format but crontab, whose output names
// nothing (`tend cron export` never needed one; its file name is the
// caller's to check).
func Export(format string, a App) (Result, error) {
	if err := ValidName(a.Name); err != nil && format != "crontab" {
		return Result{}, err
	}
	switch format {
	case "systemd":
		return Systemd(a)
	case "supervisord":
		return Supervisord(a)
	case "kubernetes":
		return Kubernetes(a)
	case "crontab":
		return Crontab(a), nil
	}
	return Result{}, fmt.Errorf("%w %q: want one of %s", ErrUnknownFormat, format, strings.Join(Formats, ", "))
}

// MaxNameLength bounds an app name: Kubernetes names a CronJob
// APP-cron-ID within 52 characters, and an ID has 8 or more.
const MaxNameLength = 30

var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`) })

// ValidName says whether name can prefix a systemd unit, a supervisord
// program and a Kubernetes object name alike.
func ValidName(name string) error {
	if name == "" {
		return errors.New("no app name: give one with --app NAME")
	}
	if len(name) > MaxNameLength || !validName().MatchString(name) {
		return fmt.Errorf("app name %q is not valid: use 1 to %d of a-z, 0-9 and '-', starting and ending with a letter or digit (Kubernetes object names; systemd and supervisord accept them too)", name, MaxNameLength)
	}
	return nil
}

// signalName is SIGTERM for 0, else the signal's SIGNAME.
func signalName(s syscall.Signal) string {
	if s == 0 {
		s = syscall.SIGTERM
	}
	for name, sig := range signalNames {
		if sig == s {
			return name
		}
	}
	return fmt.Sprintf("%d", int(s))
}

var signalNames = map[string]syscall.Signal{
	"SIGHUP": syscall.SIGHUP, "SIGINT": syscall.SIGINT, "SIGQUIT": syscall.SIGQUIT,
	"SIGKILL": syscall.SIGKILL, "SIGUSR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2,
	"SIGTERM": syscall.SIGTERM, "SIGCONT": syscall.SIGCONT, "SIGSTOP": syscall.SIGSTOP,
	"SIGTSTP": syscall.SIGTSTP, "SIGTTIN": syscall.SIGTTIN, "SIGTTOU": syscall.SIGTTOU,
	"SIGWINCH": syscall.SIGWINCH, "SIGALRM": syscall.SIGALRM, "SIGPIPE": syscall.SIGPIPE,
	"SIGABRT": syscall.SIGABRT,
}

// seconds renders d as whole seconds, rounded up (a grace is never cut).
func seconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// tendArgs is the argv of a tend command with the app's flags.
func (a App) tendArgs(words ...string) []string {
	return slices.Concat([]string{a.Tend}, a.Flags, words)
}

// oneLine shortens a command for a comment or description.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// Write writes files into dir, each atomically (a temporary file in dir,
// synced, then renamed into place). Without force it refuses, before
// writing anything, when one of them exists; a file created meanwhile is
// not overwritten either (it is linked into place, which fails on an
// existing name). dir is created if missing; it must be a directory.
func Write(dir string, files []File, force bool) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("-o %s: not a directory", dir)
	} else if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("-o: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	if !force {
		var exist []string
		for _, f := range files {
			if _, err := os.Lstat(filepath.Join(dir, f.Name)); err == nil {
				exist = append(exist, f.Name)
			}
		}
		if len(exist) > 0 {
			verb := "exists"
			if len(exist) > 1 {
				verb = "exist"
			}
			return fmt.Errorf("%s: %s already %s; nothing written (--force overwrites)", dir, strings.Join(exist, ", "), verb)
		}
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.Name), f.Data, force); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, data []byte, force bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a rename or link, a no-op or the spare name
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if force {
		return os.Rename(tmp.Name(), path)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; --force overwrites", path)
		}
		return err
	}
	return nil
}
