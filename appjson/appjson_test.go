package appjson

import (
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// now is the fixed "current time" of the fixtures.
var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func render(f *File, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error:\n%s\n", err)
		return b.String()
	}
	for _, j := range f.Jobs {
		fmt.Fprintf(&b, "%s line %d cron[%d] policy=%s maintenance=%v zone=%s schedule=%q next=%s command=%q\n",
			j.ID, j.Line, j.Index, j.Policy, j.Maintenance, j.Schedule.Location, j.Schedule.Spec,
			j.Schedule.Next(now).UTC().Format(time.RFC3339), j.Command)
	}
	names := make([]string, 0, len(f.Formation))
	for n := range f.Formation {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "formation %s=%d\n", n, f.Formation[n])
	}
	procs := make([]string, 0, len(f.Healthchecks))
	for p := range f.Healthchecks {
		procs = append(procs, p)
	}
	sort.Strings(procs)
	for _, p := range procs {
		for _, c := range f.Healthchecks[p] {
			fmt.Fprintf(&b, "healthcheck %s[%d] line %d type=%s kind=%s name=%q path=%q scheme=%q content=%q headers=%v command=%q uptime=%d port=%d attempts=%d wait=%d timeout=%d initialDelay=%d warn=%v\n",
				c.Process, c.Index, c.Line, c.Type, c.Kind(), c.Name, c.Path, c.Scheme, c.Content, c.Headers, c.Command,
				c.Uptime, c.Port, c.Attempts, c.Wait, c.Timeout, c.InitialDelay, c.Warn)
		}
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, w := range f.DokkuWarnings {
		fmt.Fprintf(&b, "dokku warning: %s\n", w)
	}
	return b.String()
}

func TestParseFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/appjson/*")
	if len(dirs) == 0 {
		t.Fatal("no fixtures")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "app.json"))
			if err != nil {
				t.Fatal(err)
			}
			got := render(Parse(data, "app.json", Options{}))
			golden := filepath.Join(dir, "want.txt")
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, _ := os.ReadFile(golden)
			if got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestDokkuID(t *testing.T) {
	// The test vector of github.com/multiformats/go-base36, Dokku's encoder.
	if got := base36Lc([]byte("Decentralize everything!!!")); got != "m552ng4dabi4neu1oo8l4i5mndwmpc3mkukwtxy9" {
		t.Errorf("base36 vector: %q", got)
	}
	if got := base36Lc([]byte("\x00\x00ab")); got != "00"+base36Lc([]byte("ab")) {
		t.Errorf("leading zero bytes: %q", got)
	}
	if got, want := DokkuID("app", "bin/x", "@daily"), base36Lc([]byte("app===bin/x===@daily")); got != want {
		t.Errorf("DokkuID = %q, want %q", got, want)
	}
}

// TestDokkuIDRoundTrip checks that the ID is the bytes of
// "app===command===schedule" read as one big-endian number in base 36.
func TestDokkuIDRoundTrip(t *testing.T) {
	id := DokkuID("node-js-app", "npm run send-email", "@daily")
	n, ok := new(big.Int).SetString(id, 36)
	if !ok || string(n.Bytes()) != "node-js-app===npm run send-email===@daily" || strings.ToLower(id) != id {
		t.Errorf("DokkuID = %q does not decode back", id)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/appjson/*/app.json")
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Add([]byte(`{"cron": [{"command": "a", "schedule": "@every 0s"}, {"command": "b\u0000", "schedule": "TZ=UTC @every 1500ms"}]}`))
	f.Add([]byte(`{"x": [[{"s": "[\"[{"}, /* [{ */ [] // [[
	]], "cron": [[[]]]}`))
	f.Add([]byte("{\"x\": " + strings.Repeat("[", MaxDepth+1) + "}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "app.json", Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "app.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, j := range file.Jobs {
			if strings.TrimSpace(j.Command) == "" || j.ID == "" || ids[j.ID] || j.Schedule == nil ||
				strings.ContainsRune(j.Command, 0) || len(j.Command) > MaxCommandLength {
				t.Fatalf("bad job %+v", j)
			}
			if _, every := j.Schedule.Every(); every {
				if _, written := j.Schedule.Written(); written < time.Second {
					t.Fatalf("@every under 1s accepted: %q", j.Schedule.Spec)
				}
			}
			ids[j.ID] = true
		}
		for _, checks := range file.Healthchecks {
			for _, c := range checks {
				kinds := 0
				for _, set := range []bool{len(c.Command) > 0, c.Path != "", c.Uptime > 0, c.Listening} {
					if set {
						kinds++
					}
				}
				if !slices.Contains(HealthcheckTypes, c.Type) || c.Attempts < 1 || c.Wait < 1 || c.Timeout < 1 ||
					c.InitialDelay < 0 || c.Uptime < 0 || c.Port < 0 || c.Port > 65535 || kinds > 1 ||
					c.Path != "" && c.Path[0] != '/' || len(c.Command) > 0 && c.Command[0] == "" {
					t.Fatalf("bad check %+v", c)
				}
			}
		}
	})
}
