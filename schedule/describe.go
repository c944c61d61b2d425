package schedule

import (
	"fmt"
	"strconv"
	"strings"
)

// Describe says a schedule in words for people ("daily at 03:00",
// "every 15 minutes", "at 09:30 on Mon–Fri"), or "" when it has no short
// description (then the schedule itself is the clearest thing to show).
// A time-zone prefix becomes a suffix: "daily at 03:00 (Europe/Paris)".
func Describe(spec string) string {
	spec = strings.TrimSpace(spec)
	zone := ""
	if zonePrefix(spec) != "" {
		var first string
		first, spec, _ = strings.Cut(spec, " ")
		spec = strings.TrimSpace(spec)
		_, zone, _ = strings.Cut(first, "=")
	}
	words := describe(spec)
	if words != "" && zone != "" {
		words += " (" + zone + ")"
	}
	return words
}

var descriptors = map[string]string{
	"@yearly":   "yearly, on 1 January at 00:00",
	"@annually": "yearly, on 1 January at 00:00",
	"@monthly":  "monthly, on the 1st at 00:00",
	"@weekly":   "weekly, on Sunday at 00:00",
	"@daily":    "daily at 00:00",
	"@midnight": "daily at 00:00",
	"@hourly":   "hourly, on the hour",
	"@reboot":   "once when tend starts",
}

var dayNames = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func describe(spec string) string {
	if d, ok := descriptors[spec]; ok {
		return d
	}
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		return "every " + strings.TrimSpace(d)
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return ""
	}
	minute, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	if month != "*" {
		return ""
	}
	m, mOK := number(minute, 59)
	h, hOK := number(hour, 23)
	switch {
	case dom != "*" || dow != "*":
		if !mOK || !hOK {
			return ""
		}
		at := fmt.Sprintf("%02d:%02d", h, m)
		if dom != "*" && dow == "*" {
			if d, ok := number(dom, 31); ok && d >= 1 {
				return fmt.Sprintf("monthly on day %d at %s", d, at)
			}
			return ""
		}
		if dom == "*" {
			if days := weekdays(dow); days != "" {
				return "at " + at + " on " + days
			}
		}
		return ""
	case minute == "*" && hour == "*":
		return "every minute"
	case hour == "*":
		if n, ok := step(minute, 59); ok {
			return fmt.Sprintf("every %d minutes", n)
		}
		if mOK {
			return fmt.Sprintf("hourly at :%02d", m)
		}
	case mOK && hOK:
		return fmt.Sprintf("daily at %02d:%02d", h, m)
	case mOK:
		if n, ok := step(hour, 23); ok {
			return fmt.Sprintf("every %d hours at :%02d", n, m)
		}
	}
	return ""
}

// number reads a plain field value from 0 to max.
func number(field string, max int) (int, bool) {
	n, err := strconv.Atoi(field)
	return n, err == nil && n >= 0 && n <= max
}

// step reads "*/N" with 1 < N <= max.
func step(field string, max int) (int, bool) {
	s, ok := strings.CutPrefix(field, "*/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 1 && n <= max
}

// weekdays names a day-of-week field of numbers, ranges and lists
// ("1-5" is "Mon–Fri", "0,6" is "Sun, Sat"); "" for anything else.
func weekdays(field string) string {
	var parts []string
	for p := range strings.SplitSeq(field, ",") {
		lo, hi, isRange := strings.Cut(p, "-")
		a, okA := number(lo, 7)
		if !okA {
			return ""
		}
		if !isRange {
			parts = append(parts, dayNames[a])
			continue
		}
		b, okB := number(hi, 7)
		if !okB || b < a {
			return ""
		}
		parts = append(parts, dayNames[a]+"–"+dayNames[b])
	}
	return strings.Join(parts, ", ")
}
