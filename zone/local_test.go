package zone

import (
	"testing"
	"time"
)

func TestSetLocalReadsAPOSIXRule(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	t.Setenv("TZ", "JST-9")
	SetLocal()
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local).Zone(); off != 9*3600 {
		t.Errorf("offset %d, want 9h", off)
	}
}
