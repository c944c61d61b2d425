package lifecycle

import (
	"slices"
	"time"

	"github.com/tend-run/tend/procfs"
)

// UsageCache is the snapshot's last pass over /proc: what the running
// instances' groups use, reused for a while as long as the same groups run
// (the status page asks every 2 s; a pass costs about a millisecond on a
// host with 80 processes: BenchmarkGroupUsage).
type UsageCache struct {
	groups []int
	usage  map[int]procfs.Usage
	at     time.Time
}

// Get is the usage of groups, measured again when the last pass is older
// than every or was of other groups.
func (c *UsageCache) Get(groups []int, every time.Duration) map[int]procfs.Usage {
	if time.Since(c.at) < every && slices.Equal(c.groups, groups) {
		return c.usage
	}
	c.groups, c.usage, c.at = groups, procfs.GroupUsage(groups), time.Now()
	return c.usage
}
