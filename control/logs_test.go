package control

import (
	"strings"
	"testing"
)

func TestLogNames(t *testing.T) {
	known := []string{"cron.5d2e7c11", "release.1", "tend", "web.1", "web.2", "worker.1"}
	for _, tc := range []struct {
		patterns []string
		want     []string
	}{
		{nil, known},
		{[]string{"web"}, []string{"web.1", "web.2"}},
		{[]string{"web.2", "worker"}, []string{"web.2", "worker.1"}},
		{[]string{"cron"}, []string{"cron.5d2e7c11"}},
		{[]string{"5d2e7c11"}, []string{"cron.5d2e7c11"}},
		{[]string{"cron.5d2e7c11"}, []string{"cron.5d2e7c11"}},
		{[]string{"w*"}, []string{"web.1", "web.2", "worker.1"}},
		{[]string{"web.*"}, []string{"web.1", "web.2"}},
		{[]string{"tend"}, []string{"tend"}},
	} {
		match, err := logMatcher(tc.patterns, known)
		if err != nil {
			t.Errorf("%v: %v", tc.patterns, err)
			continue
		}
		var got []string
		for _, n := range known {
			if match == nil || match(n) {
				got = append(got, n)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%v selects %v, want %v", tc.patterns, got, tc.want)
		}
	}
	for _, bad := range []string{"web.3", "1", "cron.1", "we"} {
		if _, err := logMatcher([]string{"web", bad}, known); err == nil || !strings.Contains(err.Error(), `"`+bad+`"`) || !strings.Contains(err.Error(), "web.1, web.2") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
