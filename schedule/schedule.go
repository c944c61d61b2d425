// Package schedule reads cron schedules exactly as Dokku does (robfig/cron
// v3 with Dokku's options, plus "@reboot" and a CRON_TZ= or TZ= zone
// prefix), says when they fire, correcting robfig/cron at daylight-saving
// changes as Vixie cron runs them, and says them in words (Describe). Its
// errors are plain sentences naming the field at fault.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// dokkuParser accepts exactly what Dokku accepts: five fields, the
// @descriptors and @every, no seconds field.
var dokkuParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron schedule.
type Schedule struct {
	// Spec is the schedule as written.
	Spec string
	// Location is the zone the schedule is evaluated in.
	Location *time.Location
	// Zoned says the spec chose its zone with a CRON_TZ= or TZ= prefix.
	Zoned bool
	sched cron.Schedule
	// written is an @every interval as written, before robfig/cron
	// rounds it down to whole seconds.
	written time.Duration
	// atStart is "@reboot": once when tend start starts, never on a clock.
	atStart bool
}

// AtStart reports whether the schedule is "@reboot": one run when tend
// start starts (after --release), none on the clock.
func (s *Schedule) AtStart() bool { return s.atStart }

// Parse parses spec exactly as Dokku does, with robfig/cron v3 and
// Dokku's options. A "CRON_TZ=Zone " (or "TZ=Zone ") prefix selects the
// zone, as robfig reads it (the zone runs up to the first space; an empty
// zone is UTC); otherwise defaultLoc (nil: UTC). Errors read as plain
// sentences naming the field at fault, and inputs on which robfig v3.0.1
// panics are errors too.
func Parse(spec string, defaultLoc *time.Location) (s *Schedule, err error) {
	if defaultLoc == nil {
		defaultLoc = time.UTC
	}
	s = &Schedule{Spec: spec, Location: defaultLoc}
	if prefix := zonePrefix(spec); prefix != "" {
		// robfig slices up to the first space without checking there is
		// one: "TZ=UTC" alone panics in v3.0.1.
		if !strings.Contains(spec, " ") {
			return nil, fmt.Errorf("%s must be followed by a zone, a space and a schedule: %q", prefix, spec)
		}
		s.Zoned = true
	}
	if spec == "@reboot" {
		// supercronic's and yacron's: robfig/cron has no such descriptor.
		s.atStart = true
		return s, nil
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("not a schedule robfig/cron can read: %q", spec)
		}
	}()
	sched, err := dokkuParser.Parse(spec)
	if err != nil {
		return nil, explain(spec, err)
	}
	if _, every := sched.(cron.ConstantDelaySchedule); every {
		// robfig turns anything under a second (0s, -1s, 1ms) into one
		// second without a word: refuse what would run 1000 times faster
		// or never, as written.
		text := everyText(spec)
		s.written, _ = time.ParseDuration(text) // robfig parsed it already
		if s.written < time.Second {
			return nil, fmt.Errorf("@every %s is shorter than the minimum of 1s", text)
		}
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		if s.Zoned {
			s.Location = spec.Location
		} else {
			spec.Location = s.Location // robfig would use time.Local
		}
	}
	s.sched = sched
	return s, nil
}

// everyText is the interval of an "@every" spec, found as robfig finds it:
// after the zone prefix and its space, then "@every ".
func everyText(spec string) string {
	if zonePrefix(spec) != "" {
		_, spec, _ = strings.Cut(spec, " ")
		spec = strings.TrimSpace(spec)
	}
	return strings.TrimPrefix(spec, "@every ")
}

// zonePrefix returns the zone prefix robfig recognises at the start of
// spec, or "".
func zonePrefix(spec string) string {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if strings.HasPrefix(spec, p) {
			return p
		}
	}
	return ""
}

// Next is the first time after t the schedule fires, or the zero time if
// it never does (a day that does not exist, such as 31 February).
//
// Around daylight-saving changes it follows Vixie cron rather than
// robfig/cron where they differ, for schedules at a fixed hour: a local time
// skipped by the clock going forward runs once, at the first valid instant
// after the gap (robfig skips that day), and a local time that occurs twice
// when the clock goes back runs once, at its first occurrence (robfig runs
// both). Schedules whose hour is a wildcard or a step keep firing through
// both repeated hours, since real time keeps passing.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.atStart {
		return time.Time{}
	}
	next := s.sched.Next(t)
	if !next.IsZero() && !next.After(t) {
		return time.Time{}
	}
	spec, ok := s.sched.(*cron.SpecSchedule)
	if !ok || next.IsZero() || !s.fixedHour() {
		return next
	}
	// Judge the clock in the schedule's zone, whatever t's location.
	in := t.Location()
	if gap := skippedRun(spec, t.In(s.Location), next.In(s.Location)); !gap.IsZero() {
		return gap.In(in)
	}
	// Skip every run in the repeated stretch (a stepped minute can have
	// many); bounded, since a fixed-hour schedule leaves it within hours.
	for i := 0; i < 1000 && !next.IsZero() && repeatedWallClock(next.In(s.Location)); i++ {
		next = s.sched.Next(next)
	}
	return next
}

// fixedHour reports whether the schedule fires at fixed hours: its hour
// field is a list of numbers or ranges, or it is a daily or longer
// descriptor.
func (s *Schedule) fixedHour() bool {
	if f := s.Fields(); f != nil {
		return !strings.Contains(f[1], "*") && !strings.Contains(f[1], "/")
	}
	_, every := s.Every()
	return !every && !strings.Contains(s.Spec, "@hourly")
}

// repeatedWallClock reports whether t's local time already occurred an
// hour (or whatever the change was) earlier, because the clock went back.
func repeatedWallClock(t time.Time) bool {
	_, after := t.Zone()
	_, before := t.Add(-3 * time.Hour).Zone()
	d := time.Duration(before-after) * time.Second
	if d <= 0 {
		return false
	}
	earlier := t.Add(-d)
	return earlier.Format("2006-01-02 15:04:05") == t.Format("2006-01-02 15:04:05")
}

// skippedRun finds a run that falls into a clock-forward gap between t and
// next, which robfig/cron skips; it returns the first instant after the
// gap, or the zero time.
func skippedRun(spec *cron.SpecSchedule, t, next time.Time) time.Time {
	_, offT := t.Zone()
	_, offNext := next.Zone()
	if offNext <= offT {
		return time.Time{}
	}
	// Find the transition instant by bisection (to the second).
	lo, hi := t, next
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if _, off := mid.Zone(); off == offT {
			lo = mid
		} else {
			hi = mid
		}
	}
	transition := hi.Truncate(time.Second)
	// Would the schedule, read in the old offset, fire inside the gap?
	fixed := *spec
	fixed.Location = time.FixedZone("", offT)
	inGap := fixed.Next(transition.Add(-time.Second).In(fixed.Location))
	gapEnd := transition.Add(time.Duration(offNext-offT) * time.Second)
	if !inGap.IsZero() && inGap.Before(gapEnd) && transition.After(t) && transition.Before(next) {
		return transition.In(next.Location())
	}
	return time.Time{}
}

// String is the schedule as written (Spec).
func (s *Schedule) String() string { return s.Spec }

// NextN lists the next n times after t (fewer if the schedule ends).
func (s *Schedule) NextN(t time.Time, n int) []time.Time {
	var out []time.Time
	for range n {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// Every returns the interval of an "@every" schedule.
func (s *Schedule) Every() (time.Duration, bool) {
	if s.atStart {
		return 0, false
	}
	if d, ok := s.sched.(cron.ConstantDelaySchedule); ok {
		return d.Delay, true
	}
	return 0, false
}

// Written is an "@every" schedule's interval as written, in text and as a
// duration, before robfig/cron rounds it down to whole seconds (Every).
func (s *Schedule) Written() (text string, d time.Duration) {
	if _, every := s.Every(); !every {
		return "", 0
	}
	return everyText(s.Spec), s.written
}

// Fields returns the five fields of a plain schedule (nil for
// descriptors).
func (s *Schedule) Fields() []string {
	rest := strings.TrimSpace(s.Spec)
	if s.Zoned {
		_, rest, _ = strings.Cut(rest, " ")
	}
	f := strings.Fields(rest)
	if len(f) != 5 {
		return nil
	}
	return f
}
