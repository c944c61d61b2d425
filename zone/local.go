package zone

import (
	"os"
	"time"
)

// SetLocal makes the process's own timestamps use the zone the C library
// reads from TZ: Go's time.Local falls back to UTC for POSIX rules (JST-9)
// and a few other forms. An unreadable TZ leaves Go's choice.
func SetLocal() {
	if tz, ok := os.LookupEnv("TZ"); ok {
		if loc, err := Load(tz, os.Getenv("TZDIR")); err == nil {
			time.Local = loc
		}
	}
}
