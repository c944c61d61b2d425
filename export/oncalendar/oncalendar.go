// Package oncalendar converts a cron schedule into the systemd timer
// settings that fire at the same times (OnCalendar=, or OnActiveSec= for
// @every), for `tend export systemd`.
package oncalendar

import (
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tend-run/tend/schedule"
)

// cronParser reads schedules with Dokku's options, as appjson does, to get
// robfig's own bit sets: the conversion then follows robfig's reading of
// lists, ranges, steps, names and "?" exactly, not a second parser's.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// starBit is robfig's mark of a field written as "*" or "?" (spec.go).
const starBit = 1 << 63

// Calendar is a cron schedule as systemd timer settings.
type Calendar struct {
	// OnCalendar are the timer's OnCalendar= lines: they fire on any of
	// them. Two when cron's day rule ORs day of month and day of week.
	OnCalendar []string
	// Every is an @every interval (OnActiveSec= and OnUnitActiveSec=);
	// OnCalendar is empty then.
	Every time.Duration
	// Notes are what systemd will do differently, for comments.
	Notes []string
}

// Convert converts a parsed schedule into systemd calendar events that
// fire at the same times. The zone is always written: the schedule's
// CRON_TZ= zone, else the app's (TZ, else UTC), never the machine's.
func Convert(s *schedule.Schedule) (c Calendar, err error) {
	if s.AtStart() {
		return Calendar{}, fmt.Errorf("schedule %q: @reboot has no calendar: it runs once at start", s.Spec)
	}
	if d, every := s.Every(); every {
		return Calendar{Every: d}, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("schedule %q: robfig/cron cannot read it", s.Spec)
		}
	}()
	parsed, err := cronParser.Parse(s.Spec)
	if err != nil {
		return Calendar{}, fmt.Errorf("schedule %q: %w", s.Spec, err)
	}
	spec, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return Calendar{}, fmt.Errorf("schedule %q: not a calendar schedule", s.Spec)
	}
	zone := ""
	switch name := s.Location.String(); {
	case name == "UTC" || name == "":
		zone = " UTC"
	case name != "Local" && loadable(name):
		zone = " " + name
	default:
		c.Notes = append(c.Notes, fmt.Sprintf("the zone %q has no tz database name systemd reads: the timer uses the machine's zone", name))
	}
	hm := fmt.Sprintf("%s:%s:00", render(spec.Hour, 0, 23, nil), render(spec.Minute, 0, 59, nil))
	month := render(spec.Month, 1, 12, nil)
	dom := render(spec.Dom, 1, 31, nil)
	dow := weekdays(spec.Dow)
	// robfig (spec.go dayMatches): when either day field is a star, a day
	// must match both; else either. A star field has every bit set.
	if spec.Dom&starBit != 0 || spec.Dow&starBit != 0 {
		c.OnCalendar = []string{strings.TrimSpace(dow + " *-" + month + "-" + dom + " " + hm + zone)}
	} else {
		c.OnCalendar = []string{
			"*-" + month + "-" + dom + " " + hm + zone,
			strings.TrimSpace(dow + " *-" + month + "-* " + hm + zone),
		}
	}
	if hasDST(s.Location) {
		c.Notes = append(c.Notes, fmt.Sprintf("%s changes its clocks: where a run falls into the hour skipped in spring, systemd skips it (tend runs it right after the change), and an hourly run in the repeated autumn hour runs once (tend runs both)", s.Location))
	}
	return c, nil
}

func loadable(name string) bool {
	_, err := time.LoadLocation(name)
	return err == nil && !strings.HasPrefix(name, "/") && !strings.HasPrefix(name, ":")
}

// hasDST reports whether loc's offset changes within the coming two years.
func hasDST(loc *time.Location) bool {
	now := time.Now()
	_, off := now.In(loc).Zone()
	for d := 0; d < 730; d += 7 {
		if _, o := now.AddDate(0, 0, d).In(loc).Zone(); o != off {
			return true
		}
	}
	return false
}

// render writes the values set in field (min to max) as a systemd
// calendar component: "*", else a list of values and ranges ("01,05..07").
// names, if set, replace numbers. Never systemd's repetition ("00/7"):
// systemd 252 computes the next elapse of "*:00/7" from 23:59:59 as 00:07,
// skipping 00:00, where the same minutes as a list give 00:00.
func render(field uint64, low, high int, names []string) string {
	var vals []int
	for v := low; v <= high; v++ {
		if field&(1<<uint(v)) != 0 {
			vals = append(vals, v)
		}
	}
	if len(vals) == high-low+1 {
		return "*"
	}
	num := func(v int) string {
		if names != nil {
			return names[v]
		}
		return fmt.Sprintf("%02d", v)
	}
	var parts []string
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j+1] == vals[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, num(vals[i])+".."+num(vals[j]))
		case j == i+1:
			parts = append(parts, num(vals[i]), num(vals[j]))
		default:
			parts = append(parts, num(vals[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// weekdays renders robfig's day-of-week bits (0 = Sunday) in systemd's
// order (Monday first), "" for every day.
func weekdays(field uint64) string {
	// Rotate so that bit 0 is Monday and bit 6 Sunday.
	f := field & 0x7f
	f = (f >> 1) | (f&1)<<6
	if bits.OnesCount64(f) == 7 {
		return ""
	}
	return render(f, 0, 6, []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"})
}
