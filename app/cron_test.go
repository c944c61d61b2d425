package app

import (
	"testing"
	"time"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/schedule"
)

// cron declares its policies so that it need not import the parser; the
// conversion in CronJobs keeps the values, so the two lists must agree.
func TestCronPoliciesMatchAppJSON(t *testing.T) {
	for a, c := range map[appjson.Policy]cronlock.Policy{
		appjson.PolicyAllow: cronlock.PolicyAllow, appjson.PolicyForbid: cronlock.PolicyForbid, appjson.PolicyReplace: cronlock.PolicyReplace,
	} {
		if cronlock.Policy(a) != c {
			t.Errorf("appjson %q is cron %q", a, c)
		}
	}
}

// A *schedule.Schedule is a cron.Schedule, and says its spec as written.
func TestAppJSONScheduleIsACronSchedule(t *testing.T) {
	s, err := schedule.Parse("*/15 * * * *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var cs cron.Schedule = s
	if cs.String() != "*/15 * * * *" {
		t.Errorf("String() = %q", cs.String())
	}
}
