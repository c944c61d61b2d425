package appjson

import (
	"fmt"
	"strings"
	"testing"
)

// appJSON1MB is a valid app.json of about 1 MB: cron entries, one per line.
func appJSON1MB() []byte {
	var b strings.Builder
	b.WriteString("{\"cron\": [\n")
	for i := 0; b.Len() < 1_000_000; i++ {
		fmt.Fprintf(&b, "  {\"command\": \"bin/job %d\", \"schedule\": \"*/5 * * * *\"},\n", i)
	}
	b.WriteString("]}\n")
	return []byte(b.String())
}

// BenchmarkParse1MB is `tend check`'s parsing of a 1 MB app.json. Each
// entry's line number once cost a scan of the file before it, which made
// this quadratic (seconds); it must stay well under a second.
func BenchmarkParse1MB(b *testing.B) {
	data := appJSON1MB()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "app.json", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
