// Package health runs an instance's health checks (app.json's
// "healthchecks", in Dokku's schema) from inside the container: an HTTP
// path, a listening port, a command, or an uptime, each with its attempts,
// wait, timeout and initial delay. It knows nothing of the supervisor:
// Probe is one attempt, Attempt the attempts of a startup check, and
// Monitor follows one instance's checks for its life and reports what it
// sees on a channel.
package health

import (
	"fmt"
	"strings"
	"time"
)

// Type is when a check runs and what its failure means.
type Type string

const (
	// Startup checks run when an instance starts: until they pass it is
	// starting, and if one fails all its attempts the start failed.
	Startup Type = "startup"
	// Liveness checks run for the instance's life: Attempts failures in a
	// row mean it must be restarted.
	Liveness Type = "liveness"
	// Readiness checks decide whether the instance is ready.
	Readiness Type = "readiness"
)

// Kind is what a check looks at.
type Kind int

const (
	// Uptime: the instance has run Uptime without exiting.
	Uptime Kind = iota
	// HTTP: GET Path answers 2xx or 3xx (and contains Content).
	HTTP
	// Listening: something listens on the port on every interface.
	Listening
	// Command: Command exits 0.
	Command
)

// Header is an HTTP header an HTTP check sends.
type Header struct{ Name, Value string }

// Check is one health check of a process type.
type Check struct {
	Type Type
	Kind Kind
	// Name, when set, names the check in messages and metrics; else its
	// description does.
	Name string
	// HTTP: the path, scheme (http or https), headers and content.
	Path, Scheme, Content string
	Headers               []Header
	// Command: the program and its arguments (not a shell line).
	Command []string
	// Uptime: how long the instance must have run.
	Uptime time.Duration
	// Port is the port checked; 0 means the instance's PORT.
	Port int
	// Attempts in a row decide; Wait is between attempts, Timeout bounds
	// each, InitialDelay comes before the first.
	Attempts                    int
	Wait, Timeout, InitialDelay time.Duration
	// Warn: a failure is only reported, never acted on.
	Warn bool
}

// Label is how the check is named in messages and metrics: its name, or
// its description.
func (c Check) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.What()
}

// What is what the check looks at, in words: "GET /health on $PORT".
func (c Check) What() string {
	port := "$PORT"
	if c.Port != 0 {
		port = fmt.Sprint(c.Port)
	}
	switch c.Kind {
	case HTTP:
		s := "GET " + c.Path
		if c.Scheme == "https" {
			s = "GET " + c.Path + " over https"
		}
		s += " on " + port
		if c.Content != "" {
			s += fmt.Sprintf(" containing %q", c.Content)
		}
		return s
	case Listening:
		return "listening on " + port
	case Command:
		return "command " + strings.Join(c.Command, " ")
	}
	return fmt.Sprintf("up %s without a restart", seconds(c.Uptime))
}

// String describes the check in words, as tend check prints it:
// `startup GET /health on $PORT (3 attempts, 5 s apart)`.
func (c Check) String() string {
	s := string(c.Type) + " " + c.What()
	if c.Name != "" {
		s = fmt.Sprintf("%s %q: %s", c.Type, c.Name, c.What())
	}
	var details []string
	if c.Kind != Uptime {
		details = append(details, fmt.Sprintf("%d attempts, %s apart, %s timeout", c.Attempts, seconds(c.Wait), seconds(c.Timeout)))
	}
	if c.InitialDelay > 0 {
		details = append(details, "after "+seconds(c.InitialDelay))
	}
	if c.Warn {
		details = append(details, "warn only")
	}
	if len(details) > 0 {
		s += " (" + strings.Join(details, ", ") + ")"
	}
	return s
}

func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return d.String()
}
