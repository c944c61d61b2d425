// Package report renders what tend tells a person or a program about an
// app: the summary of `tend check`, the cron list of `tend cron list` and
// the status table of `tend status`, as text or as JSON.
package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/formation"
	"github.com/tend-run/tend/ping"
	"github.com/tend-run/tend/status"
)

// Process is one process type in the check summary.
type Process struct {
	Name      string `json:"name"`
	Command   string `json:"command"`
	Line      int    `json:"line"`
	Instances int    `json:"instances"`
	// Port and LastPort are the PORTs of its first and last instance.
	Port     int `json:"port,omitempty"`
	LastPort int `json:"last_port,omitempty"`
	// Restart, MaxMemory (bytes) and MaxAge are --restart, --max-memory and
	// --max-age for the type.
	Restart   bool          `json:"restart,omitempty"`
	MaxMemory int64         `json:"max_memory_bytes,omitempty"`
	MaxAge    time.Duration `json:"max_age_ns,omitempty"`
}

// Healthcheck is one health check in the check summary.
type Healthcheck struct {
	Process string `json:"process"`
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`
	// What is what it looks at ("GET /health on $PORT"); Description the
	// whole check in words.
	What        string `json:"what"`
	Description string `json:"description"`
}

// Check is the summary of `tend check`.
type Check struct {
	Procfile  string      `json:"procfile"`
	AppJSON   string      `json:"app_json,omitempty"`
	EnvFiles  []string    `json:"env_files"`
	Processes []Process   `json:"processes"`
	Cron      []CronEntry `json:"cron"`
	EnvVars   int         `json:"env_vars"`
	FromFiles int         `json:"env_vars_from_files"`
	Warnings  []string    `json:"warnings"`
	// DokkuWarnings are where Dokku would run the app differently (its host
	// cron, its ENTRYPOINT word splitting), one per line; the text report
	// groups them by kind.
	DokkuWarnings []string `json:"dokku_warnings"`
	Errors        []string `json:"errors,omitempty"`

	// Locks is the --lock-url database, its password masked (and, with
	// --connect, the server's version).
	Locks string `json:"locks,omitempty"`
	// Defaults are the settings a project file (.tend) applied, by their
	// TEND_* names, and the file.
	Defaults     []string `json:"project_defaults,omitempty"`
	DefaultsFile string   `json:"project_defaults_file,omitempty"`

	// Healthchecks are app.json's health checks, per process type in
	// Procfile order.
	Healthchecks []Healthcheck `json:"healthchecks"`

	// NoProcfile: a cron-only app without a Procfile.
	NoProcfile bool `json:"procfile_missing,omitempty"`
}

// Failed is the summary of an app that does not load: its problems, one
// a line.
func Failed(err error) Check {
	return Check{Errors: app.ErrorLines(err), Warnings: []string{}, DokkuWarnings: []string{}, EnvFiles: []string{}}
}

// BuildCheck summarises a loaded app as s would run it; connect takes and
// releases a lock in the --lock-url database. An error of app's rules
// comes back as it is (app.UsageError for a flag value).
func BuildCheck(s app.Settings, a *app.App, now time.Time, connect bool) (Check, error) {
	r := Check{Procfile: a.ProcfilePath, NoProcfile: a.NoProcfile, AppJSON: a.AppJSONPath, EnvFiles: a.EnvFiles,
		EnvVars: len(a.Env.Environ()), FromFiles: a.Env.FromFiles(), Warnings: a.Warnings,
		DokkuWarnings: a.DokkuWarnings(), Processes: []Process{}}
	if r.EnvFiles == nil {
		r.EnvFiles = []string{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	if r.DokkuWarnings == nil {
		r.DokkuWarnings = []string{}
	}
	var err error
	if r.Processes, err = processes(s, a); err != nil {
		return r, err
	}
	if a.Cron != nil {
		if err := s.CheckCronFlags(a); err != nil {
			return r, err
		}
	}
	db, err := s.OpenLockURL(a, nil)
	if err != nil {
		return r, err
	}
	if db == nil && connect {
		r.Warnings = append(slices.Clip(r.Warnings), "--connect: no --lock-url (TEND_LOCK_URL) is set: nothing to connect to (cron locks are in the lock dir)")
	}
	if db != nil {
		defer db.Close()
		r.Locks = db.Redacted()
		if connect {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			version, err := db.Check(ctx)
			if err != nil {
				return r, fmt.Errorf("--lock-url: %w", err)
			}
			r.Locks += " (connected: " + version + ")"
		}
	}
	r.Cron = CronList(a, now, 5, db, nil)
	for i := range r.Cron {
		e := &r.Cron[i]
		e.Retries, _ = s.CronRetry(e.ID) // checked above
		if u, _ := s.CronPing(e.ID); u != nil {
			e.Ping = ping.Redacted(u)
		}
	}
	r.Healthchecks = healthchecks(a)
	return r, nil
}

// processes are the app's types with their instance counts and ports.
func processes(s app.Settings, a *app.App) ([]Process, error) {
	f, err := formation.ResolveFormation(s, a)
	if err != nil {
		return nil, err
	}
	specs, err := formation.Instances(s, a, nil, formation.NewPorts())
	if err != nil {
		return nil, err
	}
	lifecycles, err := formation.Lifecycles(s, a)
	if err != nil {
		return nil, err
	}
	out := []Process{}
	for _, p := range a.Processes {
		n := f.Count(p.Name)
		if p.Name == app.ReleaseType {
			n = 0 // only with --release, once
		}
		lc := lifecycles[p.Name]
		cp := Process{Name: p.Name, Command: p.Command, Line: p.Line, Instances: n, Restart: lc.Restart, MaxMemory: lc.MaxMemory, MaxAge: lc.MaxAge}
		for _, s := range specs {
			if s.Type == p.Name {
				cp.Port = cmp.Or(cp.Port, s.Port)
				cp.LastPort = s.Port
			}
		}
		out = append(out, cp)
	}
	return out, nil
}

func healthchecks(a *app.App) []Healthcheck {
	out := []Healthcheck{}
	for _, p := range a.Processes {
		for _, c := range a.Healthchecks(p.Name) {
			out = append(out, Healthcheck{Process: p.Name, Type: string(c.Type), Name: c.Name, What: c.What(), Description: c.String()})
		}
	}
	return out
}

// PrintCheck writes the summary for a person.
func PrintCheck(w io.Writer, r Check) {
	switch {
	case r.NoProcfile:
		fmt.Fprintf(w, "%s (not found): 0 process types, %d cron jobs: the scheduler runs alone\n", r.Procfile, len(r.Cron))
	case len(r.Processes) == 0:
		fmt.Fprintf(w, "%s: 0 process types, %d cron jobs: the scheduler runs alone\n", r.Procfile, len(r.Cron))
	default:
		fmt.Fprintf(w, "%s: %d process types\n", r.Procfile, len(r.Processes))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range r.Processes {
		count := fmt.Sprintf("×%d", p.Instances)
		if p.Name == app.ReleaseType {
			count = "once"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Name, count, p.Command)
	}
	tw.Flush()
	if ports := portList(r.Processes); len(ports) > 0 {
		fmt.Fprintf(w, "ports: %s\n", strings.Join(ports, ", "))
	}
	if life := lifecycleList(r.Processes); len(life) > 0 {
		fmt.Fprintf(w, "lifecycle: %s\n", strings.Join(life, "; "))
	}
	if r.AppJSON != "" {
		fmt.Fprintf(w, "%s: %d cron entries\n", r.AppJSON, len(r.Cron))
		printCheckCron(tw, r.Cron)
		tw.Flush()
	}
	if len(r.Healthchecks) > 0 {
		fmt.Fprintf(w, "%s: %d health checks\n", r.AppJSON, len(r.Healthchecks))
		for _, c := range r.Healthchecks {
			fmt.Fprintf(tw, "  %s\t%s\n", c.Process, c.Description)
		}
		tw.Flush()
	}
	if r.Locks != "" {
		fmt.Fprintf(w, "cron locks: %s\n", r.Locks)
	}
	if len(r.Defaults) > 0 {
		fmt.Fprintf(w, "settings from %s: %s\n", r.DefaultsFile, strings.Join(r.Defaults, ", "))
	}
	if len(r.EnvFiles) > 0 {
		fmt.Fprintf(w, "environment: %d variables, %d from %s\n", r.EnvVars, r.FromFiles, strings.Join(r.EnvFiles, ", "))
	} else {
		fmt.Fprintf(w, "environment: %d variables, no env files\n", r.EnvVars)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	for _, note := range GroupDokku(r.DokkuWarnings) {
		fmt.Fprintf(w, "dokku: %s\n", note)
	}
}

func portList(procs []Process) []string {
	var ports []string
	for _, p := range procs {
		switch {
		case p.Port == 0:
		case p.LastPort == p.Port:
			ports = append(ports, fmt.Sprintf("%s %d", p.Name, p.Port))
		default:
			ports = append(ports, fmt.Sprintf("%s %d-%d", p.Name, p.Port, p.LastPort))
		}
	}
	return ports
}

func printCheckCron(tw io.Writer, jobs []CronEntry) {
	for _, j := range jobs {
		next := "next " + strings.Join(j.NextRuns, ", ")
		switch {
		case j.Maintenance:
			next = "maintenance: not scheduled"
		case j.AtStart:
			next = "once when tend start starts"
		case j.Next == "":
			next = "never fires"
		}
		if j.Retries > 0 {
			next += fmt.Sprintf("; %d retries", j.Retries)
		}
		if j.Ping != "" {
			next += "; pings " + j.Ping
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", j.ID, j.Schedule, j.Command, next)
		if j.DokkuID != "" {
			fmt.Fprintf(tw, "  \tdokku id %s\t\t\n", j.DokkuID)
		}
	}
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// lifecycleList says, per type, what --restart, --max-memory and --max-age
// do: "worker restarted, recycled above 512.0M or after 6h0m0s".
func lifecycleList(ps []Process) []string {
	var out []string
	for _, p := range ps {
		var parts []string
		if p.Restart {
			parts = append(parts, "restarted")
		}
		var recycle []string
		if p.MaxMemory > 0 {
			recycle = append(recycle, "above "+status.FormatBytes(p.MaxMemory))
		}
		if p.MaxAge > 0 {
			recycle = append(recycle, fmt.Sprintf("after %v (less up to 10 %%)", p.MaxAge))
		}
		if len(recycle) > 0 {
			parts = append(parts, "recycled "+strings.Join(recycle, " or "))
		}
		if len(parts) > 0 {
			out = append(out, p.Name+" "+strings.Join(parts, ", "))
		}
	}
	return out
}
