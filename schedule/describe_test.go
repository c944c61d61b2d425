package schedule

import "testing"

func TestDescribe(t *testing.T) {
	for spec, want := range map[string]string{
		"@daily":                         "daily at 00:00",
		"@hourly":                        "hourly, on the hour",
		"@every 10s":                     "every 10s",
		"* * * * *":                      "every minute",
		"*/15 * * * *":                   "every 15 minutes",
		"5 * * * *":                      "hourly at :05",
		"0 */6 * * *":                    "every 6 hours at :00",
		"30 3 * * *":                     "daily at 03:30",
		"0 9 * * 1-5":                    "at 09:00 on Mon–Fri",
		"0 10 * * 0,6":                   "at 10:00 on Sun, Sat",
		"0 4 1 * *":                      "monthly on day 1 at 04:00",
		"CRON_TZ=Europe/Paris 0 3 * * *": "daily at 03:00 (Europe/Paris)",
		"0 0 1 1 *":                      "",
		"0 0 1 * 1":                      "",
		"1-5 * * * *":                    "",
		"0 9 * * MON":                    "",
		"nonsense":                       "",
	} {
		if got := Describe(spec); got != want {
			t.Errorf("Describe(%q) = %q, want %q", spec, got, want)
		}
	}
}
