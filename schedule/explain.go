package schedule

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// fieldNames name the five fields of a schedule, in order.
var fieldNames = [5]string{"minute", "hour", "day of month", "month", "day of week"}

var (
	badLocation = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^provided bad location (.*?): `) })
	badDuration = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^failed to parse duration @every (.*?): time: (.*)$`)
	})
	badInt = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^failed to parse int from (.*?): strconv.Atoi: parsing "(?:.*)": (.*)$`)
	})
	// robfig ends its range messages with ": <the range>", which the field
	// name and text given in front already say.
	rangeSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`: [^:]*$`) })
)

// explain turns robfig/cron's terse parse errors into sentences that name
// the field at fault, e.g. `expected exactly 5 fields, found 6: "0 0 * * * *"`
// or `minute "61": end of range (61) above maximum (59)`.
func explain(spec string, err error) error {
	msg := err.Error()
	rest := spec
	if zonePrefix(spec) != "" {
		_, rest, _ = strings.Cut(spec, " ")
		rest = strings.TrimSpace(rest)
	}
	switch {
	case strings.TrimSpace(spec) == "":
		return errors.New("empty schedule")
	case badLocation().MatchString(msg):
		return fmt.Errorf("unknown time zone %q", badLocation().FindStringSubmatch(msg)[1])
	case strings.HasPrefix(msg, "expected "):
		n := len(strings.Fields(rest))
		return fmt.Errorf("expected exactly 5 fields, found %d: %q", n, rest)
	case strings.TrimSpace(rest) == "@reboot":
		return fmt.Errorf("@reboot takes no time zone and no spaces: write it alone, %q", "@reboot")
	case strings.HasPrefix(msg, "unrecognized descriptor: "):
		return fmt.Errorf("unknown descriptor %q (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)", rest)
	case badDuration().MatchString(msg):
		m := badDuration().FindStringSubmatch(msg)
		return fmt.Errorf("@every: %s (write it as 90s, 15m or 1h30m)", m[2])
	}
	if f := strings.Fields(rest); len(f) == 5 {
		for i, field := range f {
			if ferr := fieldError(i, field); ferr != nil {
				return fmt.Errorf("%s %q: %s", fieldNames[i], field, ferr)
			}
		}
	}
	return errors.New(msg)
}

// fieldError parses field alone in position i (the other fields "*") to
// learn whether it is the one robfig rejects, and words robfig's complaint.
func fieldError(i int, field string) error {
	f := []string{"*", "*", "*", "*", "*"}
	f[i] = field
	_, err := dokkuParser.Parse(strings.Join(f, " "))
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := badInt().FindStringSubmatch(msg); m != nil {
		what := "a number"
		if i == 3 || i == 4 {
			what = "a number or a name"
		}
		if strings.Contains(m[2], "out of range") {
			return fmt.Errorf("%q is too large", m[1])
		}
		return fmt.Errorf("%q is not %s", m[1], what)
	}
	return errors.New(rangeSuffix().ReplaceAllString(msg, ""))
}
