package appjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tailscale/hujson"
)

// A Healthcheck is one entry of app.json's "healthchecks" for a process
// type, in the schema Dokku's docker-container-healthchecker reads. The
// defaults Dokku applies are applied here: Attempts 3, Wait and Timeout 5 s,
// Type "startup".
type Healthcheck struct {
	// Process is the process type the check belongs to; Index its place
	// in that type's list; Line the line of its opening brace.
	Process string
	Index   int
	Line    int

	// Type is "startup", "liveness" or "readiness".
	Type string
	// Name is the check's name; "" when app.json gives none.
	Name string
	// What is checked: exactly one of Command, Listening, Path and Uptime
	// (Dokku's precedence when none is set: an uptime check of 0 s).
	Command   []string
	Listening bool
	Path      string
	Uptime    int
	// For Path: the scheme (http or https), headers sent and a string the
	// body must contain.
	Scheme  string
	Headers []Header
	Content string
	// Port is the port checked; 0 means the instance's PORT.
	Port int
	// Attempts, Wait (seconds between attempts), Timeout (seconds per
	// attempt) and InitialDelay (seconds before the first).
	Attempts, Wait, Timeout, InitialDelay int
	// Warn: a failure is only logged.
	Warn bool
}

// A Header is an HTTP header a path check sends.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HealthcheckTypes are the values of a check's "type".
var HealthcheckTypes = []string{"startup", "liveness", "readiness"}

// healthcheckKeys are the keys Dokku reads in a check.
var healthcheckKeys = []string{"attempts", "command", "content", "httpHeaders", "initialDelay", "listening", "name",
	"onFailure", "path", "port", "scheme", "timeout", "type", "uptime", "wait", "warn"}

// rawHealthcheck is a check as encoding/json, which Dokku uses, reads it
// (keys case-insensitively, unknown keys ignored).
type rawHealthcheck struct {
	Attempts     *int            `json:"attempts"`
	Command      json.RawMessage `json:"command"`
	Content      string          `json:"content"`
	HTTPHeaders  []Header        `json:"httpHeaders"`
	InitialDelay *int            `json:"initialDelay"`
	Listening    bool            `json:"listening"`
	Name         string          `json:"name"`
	Path         string          `json:"path"`
	Port         *int            `json:"port"`
	Scheme       string          `json:"scheme"`
	Timeout      *int            `json:"timeout"`
	Type         string          `json:"type"`
	Uptime       *int            `json:"uptime"`
	Wait         *int            `json:"wait"`
	Warn         bool            `json:"warn"`
}

// healthchecks parses the "healthchecks" object: process type -> checks.
func (p *parser) healthchecks(v *hujson.Value) {
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		p.errs = append(p.errs, p.errorAt(v.StartOffset, -1, "", errors.New(`"healthchecks" must be an object such as {"web": [{"type": "startup", "path": "/health"}]}`)))
		return
	}
	for i := range obj.Members {
		m := &obj.Members[i]
		process := memberName(m)
		if isNull(&m.Value) {
			continue
		}
		arr, ok := m.Value.Value.(*hujson.Array)
		if !ok {
			p.errs = append(p.errs, p.checkError(m.Value.StartOffset, process, -1, "", errors.New("must be an array of checks")))
			continue
		}
		if p.file.Healthchecks == nil {
			p.file.Healthchecks = map[string][]Healthcheck{}
		}
		for j := range arr.Elements {
			if c, ok := p.healthcheck(&arr.Elements[j], process, j); ok {
				p.file.Healthchecks[process] = append(p.file.Healthchecks[process], c)
			}
		}
	}
}

func (p *parser) checkError(offset int, process string, index int, name string, err error) error {
	return &ParseError{File: p.file.Path, Line: p.line(offset), Index: -1, Entry: checkLabel(process, index, name), Err: err}
}

// checkLabel names a check in messages: healthchecks.web[0] ("name").
func checkLabel(process string, index int, name string) string {
	s := "healthchecks." + process
	if index >= 0 {
		s += fmt.Sprintf("[%d]", index)
	}
	if name != "" {
		s += fmt.Sprintf(" (%q)", shorten(name))
	}
	return s
}

// healthcheck parses one check; problems go to p.errs, near misses of key
// names to the warnings.
func (p *parser) healthcheck(v *hujson.Value, process string, index int) (Healthcheck, bool) {
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		p.errs = append(p.errs, p.checkError(v.StartOffset, process, index, "", errors.New("a check must be an object")))
		return Healthcheck{}, false
	}
	var raw rawHealthcheck
	if err := decode(v, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			err = fmt.Errorf("%q: %w", te.Field, jsonTypeError(err))
		} else {
			err = jsonTypeError(err)
		}
		p.errs = append(p.errs, p.checkError(v.StartOffset, process, index, "", err))
		return Healthcheck{}, false
	}
	for i := range obj.Members {
		name := memberName(&obj.Members[i])
		if !slices.ContainsFunc(healthcheckKeys, func(k string) bool { return strings.EqualFold(k, name) }) {
			p.file.Warnings = append(p.file.Warnings, fmt.Sprintf("%s:%d: %s: %s", p.file.Path, p.line(obj.Members[i].Name.StartOffset),
				checkLabel(process, index, raw.Name), unknownKey(name, healthcheckKeys)))
		}
	}
	c := Healthcheck{Process: process, Index: index, Line: p.line(v.StartOffset), Type: raw.Type, Name: raw.Name,
		Listening: raw.Listening, Path: raw.Path, Scheme: strings.ToLower(raw.Scheme), Headers: raw.HTTPHeaders,
		Content: raw.Content, Warn: raw.Warn, Attempts: 3, Wait: 5, Timeout: 5}
	errs := c.fill(raw)
	for _, err := range errs {
		p.errs = append(p.errs, p.checkError(v.StartOffset, process, index, c.Name, err))
	}
	return c, len(errs) == 0
}

// fill applies raw's type, command and numbers to c (Dokku's defaults
// where app.json gives none or 0) and returns what is wrong with the check.
func (c *Healthcheck) fill(raw rawHealthcheck) []error {
	var errs []error
	if c.Type == "" {
		c.Type = "startup"
	} else if !slices.Contains(HealthcheckTypes, c.Type) {
		errs = append(errs, fmt.Errorf("type %q is not one of %s", c.Type, strings.Join(HealthcheckTypes, ", ")))
	}
	if len(raw.Command) > 0 && string(raw.Command) != "null" {
		if err := json.Unmarshal(raw.Command, &c.Command); err != nil {
			errs = append(errs, errors.New(`"command" must be an array of strings, such as ["bin/check", "--quick"]`))
		} else if len(c.Command) == 0 || c.Command[0] == "" {
			errs = append(errs, errors.New(`"command" must name a program first`))
		}
	}
	for _, n := range []struct {
		key  string
		val  *int
		into *int
	}{{"attempts", raw.Attempts, &c.Attempts}, {"wait", raw.Wait, &c.Wait}, {"timeout", raw.Timeout, &c.Timeout},
		{"initialDelay", raw.InitialDelay, &c.InitialDelay}, {"uptime", raw.Uptime, &c.Uptime}, {"port", raw.Port, &c.Port}} {
		switch {
		case n.val == nil:
		case *n.val < 0:
			errs = append(errs, fmt.Errorf("%q is %d: it must not be negative", n.key, *n.val))
		case *n.val > 0 || n.key == "initialDelay" || n.key == "uptime" || n.key == "port":
			*n.into = *n.val // Dokku reads 0 attempts, wait or timeout as the default
		}
	}
	if c.Port > 65535 {
		errs = append(errs, fmt.Errorf(`"port" is %d: a port is at most 65535`, c.Port))
	}
	if c.Path != "" && !strings.HasPrefix(c.Path, "/") {
		errs = append(errs, fmt.Errorf(`"path" %q must start with "/"`, shorten(c.Path)))
	}
	if c.Scheme != "" && c.Scheme != "http" && c.Scheme != "https" {
		errs = append(errs, fmt.Errorf(`"scheme" %q is not http or https`, shorten(raw.Scheme)))
	}
	var kinds []string
	for _, k := range []struct {
		set  bool
		name string
	}{{len(c.Command) > 0, `"command"`}, {c.Path != "", `"path"`}, {c.Uptime > 0, `"uptime"`}, {c.Listening, `"listening"`}} {
		if k.set {
			kinds = append(kinds, k.name)
		}
	}
	if len(kinds) > 1 {
		errs = append(errs, fmt.Errorf("a check is one of command, path, uptime and listening; this one has %s", strings.Join(kinds, " and ")))
	}
	return errs
}

// Kind names what the check looks at: "command", "path", "listening" or
// "uptime".
func (c Healthcheck) Kind() string {
	switch {
	case c.Listening:
		return "listening"
	case len(c.Command) > 0:
		return "command"
	case c.Path != "":
		return "path"
	}
	return "uptime"
}
