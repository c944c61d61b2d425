package app

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestParseDurationBounds(t *testing.T) {
	for _, tc := range []struct {
		in      string
		seconds bool
		want    time.Duration
		ok      bool
	}{
		{"30", true, 30 * time.Second, true},
		{"2.5", true, 2500 * time.Millisecond, true},
		{"0", true, 0, true},
		{"1m30s", true, 90 * time.Second, true},
		{"86400", true, 24 * time.Hour, true},
		{"24h", false, 24 * time.Hour, true},
		{"86401", true, 0, false},
		{"9999999999", true, 0, false},
		{"1e12", true, 0, false},
		{"inf", true, 0, false},
		{"+Inf", true, 0, false},
		{"NaN", true, 0, false},
		{"-1", true, 0, false},
		{"-1s", true, 0, false},
		{"25h", true, 0, false},
		{"9999999999h", true, 0, false},
		{"30", false, 0, false}, // --cron-timeout wants a unit
	} {
		got, err := ParseDuration(tc.in, tc.seconds)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseDuration(%q, %v) = %v, %v; want %v, ok %v", tc.in, tc.seconds, got, err, tc.want, tc.ok)
		}
	}
}

func TestStopSignals(t *testing.T) {
	sigs, err := Settings{StopSignal: "worker=QUIT, web=SIGINT"}.StopSignals()
	if err != nil || len(sigs) != 2 || sigs["worker"] != syscall.SIGQUIT || sigs["web"] != syscall.SIGINT {
		t.Errorf("got %v, %v", sigs, err)
	}
	for _, bad := range []string{"worker=NOPE", "worker"} {
		_, err := Settings{StopSignal: bad}.StopSignals()
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a UsageError", bad, err)
		}
	}
}

func TestTypeSet(t *testing.T) {
	got := TypeSet(" web, ,worker,")
	if len(got) != 2 || !got["web"] || !got["worker"] {
		t.Errorf("got %v", got)
	}
	if len(TypeSet("")) != 0 {
		t.Error("an empty list names a type")
	}
}

func TestCronTimeout(t *testing.T) {
	for _, tc := range []struct {
		values []string
		id     string
		want   time.Duration
	}{
		{nil, "a", DokkuCronTTL},
		{[]string{"10m"}, "a", 10 * time.Minute},
		{[]string{"10m", "a=1h"}, "a", time.Hour},
		{[]string{"10m", "a=1h"}, "b", 10 * time.Minute},
		{[]string{"a=1h", "10m"}, "a", 10 * time.Minute}, // the last that applies wins
	} {
		got, err := Settings{CronTimeouts: tc.values}.CronTimeout(tc.id)
		if err != nil || got != tc.want {
			t.Errorf("%q for %s: %v, %v; want %v", tc.values, tc.id, got, err, tc.want)
		}
	}
	for _, bad := range []string{"0s", "30", "48h", "a=nope"} {
		_, err := Settings{CronTimeouts: []string{bad}}.CronTimeout("b")
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a UsageError", bad, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true},
		{"4096", 4096, true},
		{"1MiB", 1 << 20, true},
		{"1M", 1 << 20, true},
		{"512kb", 512 << 10, true},
		{"2 GiB", 0, false},
		{"1G", 1 << 30, true},
		{"1.5M", 0, false},
		{"-1", 0, false},
		{"MiB", 0, false},
		{"1TB", 0, false},
		{"", 0, false},
	} {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestPairsAndParsePerType(t *testing.T) {
	got := Pairs(" worker = QUIT,, web ,=x")
	want := []Pair{{1, "worker", "QUIT"}, {3, "web", ""}, {4, "", "x"}}
	if !slices.Equal(got, want) {
		t.Errorf("Pairs = %+v, want %+v", got, want)
	}
	m, err := ParsePerType("worker=QUIT, web=TERM")
	if err != nil || len(m) != 2 || m["worker"] != "QUIT" || m["web"] != "TERM" {
		t.Errorf("ParsePerType = %v, %v", m, err)
	}
	if _, err := ParsePerType("worker=QUIT,web"); err == nil || err.Error() != "entry 2 is not type=value" {
		t.Errorf("ParsePerType without a value: %v", err)
	}
}

func TestUsageErrorf(t *testing.T) {
	inner := errors.New("inner")
	err := UsageErrorf("--flag: %w", inner)
	var ue *UsageError
	if !errors.As(err, &ue) || err.Error() != "--flag: inner" || !errors.Is(err, inner) || errors.Unwrap(ue) == nil {
		t.Errorf("UsageErrorf = %v", err)
	}
}
