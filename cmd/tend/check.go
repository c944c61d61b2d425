package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tend-run/tend/app"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "validate the Procfile, app.json and env files and print a summary",
		Flags: withAppFlags(&cli.BoolFlag{Name: "json", Usage: "print the summary as JSON"}, cronFlags()[1],
			&cli.BoolFlag{Name: "connect", Usage: "with --lock-url: connect, take and release a lock, and print the server's version"}),
		Action: checkAction,
	}
}

type checkProcess struct {
	Name      string `json:"name"`
	Command   string `json:"command"`
	Line      int    `json:"line"`
	Instances int    `json:"instances"`
	// Port and LastPort are the PORTs of its first and last instance.
	Port     int `json:"port,omitempty"`
	LastPort int `json:"last_port,omitempty"`
}

type checkReport struct {
	Procfile  string          `json:"procfile"`
	AppJSON   string          `json:"app_json,omitempty"`
	EnvFiles  []string        `json:"env_files"`
	Processes []checkProcess  `json:"processes"`
	Cron      []cronListEntry `json:"cron"`
	EnvVars   int             `json:"env_vars"`
	FromFiles int             `json:"env_vars_from_files"`
	Warnings  []string        `json:"warnings"`
	Errors    []string        `json:"errors,omitempty"`

	// Locks is the --lock-url database, its password masked (and, with
	// --connect, the server's version).
	Locks string `json:"locks,omitempty"`

	// NoProcfile: a cron-only app without a Procfile.
	NoProcfile bool `json:"procfile_missing,omitempty"`
}

func checkAction(c *cli.Context) error {
	a, err := app.Load(loadOptions(c, os.Environ()))
	if err != nil {
		if c.Bool("json") {
			writeJSON(c.App.Writer, checkReport{Errors: errorLines(err), Warnings: []string{}, EnvFiles: []string{}})
		} else {
			fmt.Fprintln(c.App.ErrWriter, err)
		}
		return exitCode(1)
	}
	r, err := buildReport(c, a, time.Now())
	if err != nil {
		return err
	}
	if c.Bool("json") {
		writeJSON(c.App.Writer, r)
		return nil
	}
	printReport(c.App.Writer, r)
	return nil
}

func buildReport(c *cli.Context, a *app.App, now time.Time) (checkReport, error) {
	r := checkReport{Procfile: a.ProcfilePath, NoProcfile: a.NoProcfile, AppJSON: a.AppJSONPath, EnvFiles: a.EnvFiles,
		EnvVars: len(a.Env.Environ()), FromFiles: a.Env.FromFiles(), Warnings: append(a.Warnings, a.EntrypointWarnings()...),
		Processes: []checkProcess{}}
	if r.EnvFiles == nil {
		r.EnvFiles = []string{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	settings := settingsFrom(c)
	formation, err := settings.ResolveFormation(a)
	if err != nil {
		return r, planError(err)
	}
	specs, err := settings.Instances(a, nil, app.NewPorts())
	if err != nil {
		return r, planError(err)
	}
	for _, p := range a.Processes {
		n := formation.Count(p.Name)
		if p.Name == app.ReleaseType {
			n = 0 // only with --release, once
		}
		cp := checkProcess{Name: p.Name, Command: p.Command, Line: p.Line, Instances: n}
		for _, s := range specs {
			if s.Type == p.Name {
				cp.Port = cmp.Or(cp.Port, s.Port)
				cp.LastPort = s.Port
			}
		}
		r.Processes = append(r.Processes, cp)
	}
	db, err := openLockURL(settings, a, nil)
	if err != nil {
		return r, err
	}
	if db != nil {
		defer db.Close()
		r.Locks = db.Redacted()
		if c.Bool("connect") {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			version, err := db.Check(ctx)
			if err != nil {
				return r, &exitError{code: 1, err: fmt.Errorf("--lock-url: %w", err)}
			}
			r.Locks += " (connected: " + version + ")"
		}
	}
	r.Cron = cronList(a, now, 5, db)
	return r, nil
}

func printReport(w io.Writer, r checkReport) {
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
	var ports []string
	for _, p := range r.Processes {
		switch {
		case p.Port == 0:
		case p.LastPort == p.Port:
			ports = append(ports, fmt.Sprintf("%s %d", p.Name, p.Port))
		default:
			ports = append(ports, fmt.Sprintf("%s %d-%d", p.Name, p.Port, p.LastPort))
		}
	}
	if len(ports) > 0 {
		fmt.Fprintf(w, "ports: %s\n", strings.Join(ports, ", "))
	}
	if r.AppJSON != "" {
		fmt.Fprintf(w, "%s: %d cron entries\n", r.AppJSON, len(r.Cron))
		for _, j := range r.Cron {
			next := "next " + strings.Join(j.NextRuns, ", ")
			switch {
			case j.Maintenance:
				next = "maintenance: not scheduled"
			case j.Next == "":
				next = "never fires"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", j.ID, j.Schedule, j.Command, next)
			if j.DokkuID != "" {
				fmt.Fprintf(tw, "  \tdokku id %s\t\t\n", j.DokkuID)
			}
		}
		tw.Flush()
	}
	if r.Locks != "" {
		fmt.Fprintf(w, "cron locks: %s\n", r.Locks)
	}
	if len(r.EnvFiles) > 0 {
		fmt.Fprintf(w, "environment: %d variables, %d from %s\n", r.EnvVars, r.FromFiles, strings.Join(r.EnvFiles, ", "))
	} else {
		fmt.Fprintf(w, "environment: %d variables, no env files\n", r.EnvVars)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// errorLines flattens joined errors into one message per problem.
func errorLines(err error) []string {
	var lines []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		lines = append(lines, e.Error())
	}
	walk(err)
	return lines
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
