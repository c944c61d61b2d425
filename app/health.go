package app

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/health"
)

// Healthchecks are app.json's health checks of a process type, as the
// health package runs them (nil when the type has none).
func (a *App) Healthchecks(typ string) []health.Check {
	if a.Cron == nil {
		return nil
	}
	var out []health.Check
	for _, c := range a.Cron.Healthchecks[typ] {
		out = append(out, healthCheck(c))
	}
	return out
}

func healthCheck(c appjson.Healthcheck) health.Check {
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	hc := health.Check{Type: health.Type(c.Type), Name: c.Name, Path: c.Path, Scheme: c.Scheme, Content: c.Content,
		Command: c.Command, Uptime: sec(c.Uptime), Port: c.Port, Attempts: c.Attempts, Wait: sec(c.Wait),
		Timeout: sec(c.Timeout), InitialDelay: sec(c.InitialDelay), Warn: c.Warn}
	for _, h := range c.Headers {
		hc.Headers = append(hc.Headers, health.Header{Name: h.Name, Value: h.Value})
	}
	switch c.Kind() {
	case "path":
		hc.Kind = health.HTTP
	case "listening":
		hc.Kind = health.Listening
	case "command":
		hc.Kind = health.Command
	default:
		hc.Kind = health.Uptime
	}
	return hc
}

// healthcheckErrors are checks of process types the Procfile does not
// have: they could never run.
func (a *App) healthcheckErrors() []error {
	if a.Cron == nil {
		return nil
	}
	var errs []error
	for _, typ := range slices.Sorted(maps.Keys(a.Cron.Healthchecks)) {
		checks := a.Cron.Healthchecks[typ]
		if _, ok := a.Process(typ); ok || len(checks) == 0 {
			continue
		}
		errs = append(errs, &appjson.ParseError{File: a.Cron.Path, Line: checks[0].Line, Index: -1,
			Entry: "healthchecks." + typ, Err: fmt.Errorf("no process type %q in %s", typ, a.ProcfilePath)})
	}
	return errs
}
