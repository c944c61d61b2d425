package appjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tailscale/hujson"

	"github.com/tend-run/tend/schedule"
)

// knownKeys are the keys Dokku reads in a cron entry.
var knownKeys = []string{"command", "schedule", "concurrency_policy", "maintenance"}

func (p *parser) cron(v *hujson.Value) {
	arr, ok := v.Value.(*hujson.Array)
	if !ok {
		p.errs = append(p.errs, p.errorAt(v.StartOffset, -1, "", errors.New(`"cron" must be an array of entries`)))
		return
	}
	seen := map[string]int{}
	ids := map[string]bool{}
	for i := range arr.Elements {
		job, ok := p.entry(&arr.Elements[i], i)
		if !ok {
			continue
		}
		key := job.Schedule.Spec + "\x00" + job.Command
		if first, dup := seen[key]; dup {
			p.warn(arr.Elements[i].StartOffset, i, job.Command, "same schedule and command as cron[%d]: they run as one job", first)
			continue
		}
		seen[key] = i
		// Two different entries sharing 32 bits of hash is unlikely but
		// would merge their run history: the later one gets a longer ID.
		for n := 12; ids[job.ID]; n += 4 {
			job.ID = longID(job.Schedule.Spec, job.Command, n)
		}
		ids[job.ID] = true
		p.file.Jobs = append(p.file.Jobs, job)
	}
}

// entryKeys holds an entry's known keys as encoding/json, which Dokku
// uses, assigns them: exact names first, then case-insensitively.
type entryKeys struct {
	Command     json.RawMessage `json:"command"`
	Schedule    json.RawMessage `json:"schedule"`
	Policy      json.RawMessage `json:"concurrency_policy"`
	Maintenance json.RawMessage `json:"maintenance"`
}

// canonicalKey returns the known key encoding/json would read name as, or
// "" for a key Dokku ignores.
func canonicalKey(name string) string {
	if slices.Contains(knownKeys, name) {
		return name // the usual case, without a decoder per key
	}
	var k entryKeys
	if json.Unmarshal(fmt.Appendf(nil, "{%q: 0}", name), &k) != nil {
		return ""
	}
	switch {
	case k.Command != nil:
		return "command"
	case k.Schedule != nil:
		return "schedule"
	case k.Policy != nil:
		return "concurrency_policy"
	case k.Maintenance != nil:
		return "maintenance"
	}
	return ""
}

// rawEntry is an entry's values; a nil pointer is a key absent or null
// (encoding/json leaves the field alone for null, so Dokku sees "").
type rawEntry struct {
	Command, Schedule, Policy *string
	Maintenance               *bool
}

// entry parses one cron entry; problems go to p.errs.
func (p *parser) entry(v *hujson.Value, index int) (Job, bool) {
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		p.errs = append(p.errs, p.errorAt(v.StartOffset, index, "", errors.New("an entry must be an object with command and schedule")))
		return Job{}, false
	}
	raw, errs := p.entryValues(obj, index)
	job := Job{Index: index, Line: p.line(v.StartOffset), Policy: PolicyAllow}
	if raw.Command != nil {
		job.Command = *raw.Command
	}
	for _, w := range errs.warnings {
		p.warn(w.offset, index, job.Command, "%s", w.text)
	}
	fail := func(err error) (Job, bool) {
		p.errs = append(p.errs, p.errorAt(v.StartOffset, index, job.Command, err))
		return Job{}, false
	}
	if err := errors.Join(errs.errs...); err != nil {
		return fail(err)
	}
	switch {
	case raw.Command == nil:
		return fail(errors.New(`missing "command"`))
	case strings.TrimSpace(*raw.Command) == "":
		return fail(errors.New(`empty "command"`))
	case raw.Schedule == nil:
		return fail(errors.New(`missing "schedule"`))
	}
	if err := checkCommand(job.Command); err != nil {
		return fail(err)
	}
	if raw.Policy != nil {
		switch Policy(*raw.Policy) {
		case PolicyAllow, PolicyForbid, PolicyReplace:
			job.Policy = Policy(*raw.Policy)
		default:
			return fail(fmt.Errorf("concurrency_policy: %q is not one of allow, forbid, replace", *raw.Policy))
		}
	}
	if raw.Maintenance != nil {
		job.Maintenance = *raw.Maintenance
	}
	sched, err := schedule.Parse(*raw.Schedule, p.opts.Location)
	if err != nil {
		return fail(fmt.Errorf("schedule: %w", err))
	}
	job.Schedule = sched
	job.ID = shortID(sched.Spec, job.Command)
	p.hostWarnings(v.StartOffset, job)
	return job, true
}

// MaxCommandLength is the longest command accepted, in bytes: a job runs
// as `/bin/sh -c COMMAND`, and Linux refuses one argument of 128 KiB
// (MAX_ARG_STRLEN). It is procfile.MaxCommandLength, for the same reason:
// a command that passes `tend check` must be one tend can start.
const MaxCommandLength = 64 << 10

// checkCommand refuses a command the kernel would refuse to pass to the
// shell when the job is due.
func checkCommand(command string) error {
	if i := strings.IndexByte(command, 0); i >= 0 {
		return fmt.Errorf(`"command" has a NUL byte (byte %d), which cannot be passed to /bin/sh`, i+1)
	}
	if len(command) > MaxCommandLength {
		return fmt.Errorf(`"command" is %d bytes, over the limit of %d (the kernel refuses an argument of 128 KiB)`, len(command), MaxCommandLength)
	}
	return nil
}

type offsetText struct {
	offset int
	text   string
}

type entryProblems struct {
	errs     []error
	warnings []offsetText
}

// entryValues decodes each member of an entry alone, so that a wrong type
// names its key; a later duplicate key wins, as in encoding/json.
func (p *parser) entryValues(obj *hujson.Object, index int) (rawEntry, entryProblems) {
	var raw rawEntry
	var probs entryProblems
	for i := range obj.Members {
		m := &obj.Members[i]
		name := memberName(m)
		key := canonicalKey(name)
		if key == "" {
			probs.warnings = append(probs.warnings, offsetText{m.Name.StartOffset, unknownKey(name, knownKeys)})
			continue
		}
		if key != name {
			probs.warnings = append(probs.warnings, offsetText{m.Name.StartOffset,
				fmt.Sprintf("key %q read as %q: Dokku's JSON decoder ignores case, other tools may not", name, key)})
		}
		var target any
		switch key {
		case "command":
			target = &raw.Command
		case "schedule":
			target = &raw.Schedule
		case "concurrency_policy":
			target = &raw.Policy
		case "maintenance":
			target = &raw.Maintenance
		}
		if isNull(&m.Value) {
			continue // encoding/json leaves the field as it was
		}
		if err := json.Unmarshal(standardized(&m.Value), target); err != nil {
			probs.errs = append(probs.errs, fmt.Errorf("%s: %w", key, jsonTypeError(err)))
		}
	}
	return raw, probs
}

func standardized(v *hujson.Value) []byte {
	c := v.Clone()
	c.Standardize()
	return c.Pack()
}

// unknownKey words the warning for a key Dokku ignores, with a hint when
// it is close to a known key.
func unknownKey(name string, known []string) string {
	best, bestDist := "", 4 // more than 3 edits away is no near miss
	for _, k := range known {
		if d := EditDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return fmt.Sprintf("unknown key %q", name)
	}
	return fmt.Sprintf("unknown key %q (did you mean %q?)", name, best)
}

// hostWarnings lists what Dokku's own cron, which runs schedules with the
// host's cron daemon and splits commands into words without a shell, would
// do differently with this entry, and schedules that never fire.
func (p *parser) hostWarnings(offset int, job Job) {
	s := job.Schedule
	w := func(format string, args ...any) { p.warn(offset, job.Index, job.Command, format, args...) }
	dokku := func(format string, args ...any) { p.dokkuWarn(offset, job.Index, job.Command, format, args...) }
	if job.Maintenance {
		return
	}
	if s.AtStart() {
		dokku("@reboot runs once when tend start starts, but Dokku refuses it when it validates app.json at deploy (its scheduler has no @reboot): for Dokku, use a Procfile release type with tend start --release")
		return
	}
	if s.Next(neverProbe).IsZero() {
		w("schedule %q never fires", s.Spec)
	}
	if d, every := s.Every(); every {
		dokku("@every runs under tend, but Dokku's host cron cannot run it")
		if text, written := s.Written(); d != written {
			w("@every %s runs every %s: robfig/cron counts whole seconds", text, d)
		}
	}
	if s.Zoned {
		dokku("a time zone prefix runs under tend, but Dokku's host cron ignores it")
	}
	if f := s.Fields(); f != nil {
		if strings.Contains(strings.Join(f, " "), "?") {
			dokku(`"?" is accepted here but not by Dokku's host cron`)
		}
		if w2 := dayRuleWarning(f[2], f[4]); w2 != "" {
			dokku("%s", w2)
		}
	}
	for _, op := range []string{"&&", "||", "|", ";", ">", "<", "$(", "`"} {
		if strings.Contains(job.Command, op) {
			dokku("%q needs a shell: tend runs it under /bin/sh, but Dokku's cron refuses it; wrap the command in a script", op)
			break
		}
	}
}

// dayRuleWarning explains where Vixie cron (Dokku's host cron) and
// robfig/cron v3.0.1 disagree on whether a schedule with both day fields
// runs on either day (OR) or only on days matching both (AND).
//
// Vixie cron (entry.c, cron.c) ANDs the two fields when either one's text
// starts with '*' ("*/2" included), else ORs them. robfig (parser.go
// getRange, spec.go dayMatches) ANDs them when either field has a range
// "*" or "?" without a step above 1, else ORs them: "*/2" counts as
// restricted, while "5,*" counts as a star.
func dayRuleWarning(dom, dow string) string {
	if strings.Contains(dom+dow, "?") {
		return "" // Vixie cron rejects "?" outright, said elsewhere
	}
	vixieAnd := strings.HasPrefix(dom, "*") || strings.HasPrefix(dow, "*")
	robfigAnd := robfigStar(dom) || robfigStar(dow)
	if vixieAnd == robfigAnd {
		return ""
	}
	rule := map[bool]string{true: "days matching both", false: "either day"}
	return fmt.Sprintf("day of month %q with day of week %q runs on %s here but on %s under Dokku's host cron",
		dom, dow, rule[robfigAnd], rule[vixieAnd])
}

// robfigStar reports whether robfig/cron v3.0.1 marks a day field as "*".
func robfigStar(field string) bool {
	for _, r := range strings.Split(field, ",") {
		rng, step, stepped := strings.Cut(r, "/")
		low, _, _ := strings.Cut(rng, "-")
		if low != "*" && low != "?" {
			continue
		}
		if n, err := strconv.Atoi(step); !stepped || (err == nil && n <= 1) {
			return true
		}
	}
	return false
}

// neverProbe is the time a schedule is tried from to tell whether it ever
// fires. Five fields without a year repeat within robfig's 5-year search
// (29 February comes every 4 years), so any fixed time gives the same
// answer, and a fixed one keeps Parse independent of the clock.
var neverProbe = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// EditDistance is the Levenshtein distance, for did-you-mean hints.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
