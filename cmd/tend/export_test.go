package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/export"
)

// legacyCronExport is `tend cron export` as it was before `tend export`
// (cmd/tend/cron.go at dd81b35), kept to prove the alias writes the same
// bytes.
func legacyCronExport(w io.Writer, a *app.App, self, path, user string) {
	fmt.Fprintf(w, "# tend cron jobs of %s\nPATH=%s\n", a.Root, path)
	if user != "" {
		user += " "
	}
	if a.Cron == nil {
		return
	}
	for _, j := range a.Cron.Jobs {
		_, every := j.Schedule.Every()
		switch {
		case j.Maintenance:
			fmt.Fprintf(w, "# %s (%s): in maintenance\n", j.ID, j.Command)
		case every:
			fmt.Fprintf(w, "# %s (%s): %q cannot be expressed in a crontab\n", j.ID, j.Command, j.Schedule.Spec)
		case j.Schedule.Zoned:
			fmt.Fprintf(w, "# %s (%s): %q has a time zone prefix, which system cron ignores\n", j.ID, j.Command, j.Schedule.Spec)
		default:
			line := fmt.Sprintf("cd %s && %s cron run %s", legacyShellQuote(a.Root), legacyShellQuote(self), j.ID)
			fmt.Fprintf(w, "%s %s%s\n", j.Schedule.Spec, user, strings.ReplaceAll(line, "%", `\%`))
		}
	}
}

func legacyShellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !slices.Contains([]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-"), r)
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var crontabApps = []map[string]string{
	{"Procfile": "web: x\n"}, // no app.json
	{"Procfile": "web: x\n", "app.json": `{}`},
	{"Procfile": "web: x\n", "app.json": `{"cron": [
		{"command": "bin/report 100%", "schedule": "0 9 * * 1-5"},
		{"command": "bin/tick", "schedule": "@every 30s"},
		{"command": "web --once", "schedule": "CRON_TZ=Europe/Berlin 0 1 * * *"},
		{"command": "bin/m", "schedule": "@daily", "maintenance": true},
		{"command": "echo 'it''s'", "schedule": "*/5 1-3 1,15 * *", "concurrency_policy": "forbid"}
	]}`},
}

// The alias writes what cron export always wrote, byte for byte, in odd
// directories too (quotes, spaces, %).
func TestCrontabExportIsLegacy(t *testing.T) {
	t.Parallel()
	for i, files := range crontabApps {
		for _, sub := range []string{"plain", "it's a 100% dir"} {
			dir := filepath.Join(writeApp(t, files))
			if sub != "plain" {
				dir = filepath.Join(dir, sub)
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, content := range files {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			a, err := app.Load(app.Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			for _, user := range []string{"", "app"} {
				var want bytes.Buffer
				legacyCronExport(&want, a, "/opt/my tend/tend", "/usr/bin:/bin", user)
				in := export.App{Name: "x", Root: a.Root, Tend: "/opt/my tend/tend", PATH: "/usr/bin:/bin", User: user}
				if a.Cron != nil {
					for _, j := range a.Cron.Jobs {
						in.Cron = append(in.Cron, export.CronJob{ID: j.ID, Command: j.Command, Schedule: j.Schedule, Policy: j.Policy, Maintenance: j.Maintenance})
					}
				}
				got := export.Crontab(in).Files[0].Data
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("app %d in %q, user %q:\ngot\n%s\nwant\n%s", i, sub, user, got, want.Bytes())
				}
			}
		}
	}
}

// The real binary: cron export and export crontab print the same bytes,
// which are the legacy ones, and warn on stderr about what they leave out.
func TestCronExportAlias(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, crontabApps[2])
	a, err := app.Load(app.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	legacyCronExport(&want, a, tendBin, os.Getenv("PATH"), "app")
	old, oldErr, code1 := runTend(t, dir, []string{"PATH=" + os.Getenv("PATH")}, "cron", "export", "--user", "app")
	alias, _, code2 := runTend(t, dir, []string{"PATH=" + os.Getenv("PATH")}, "export", "crontab", "--user", "app")
	if code1 != 0 || code2 != 0 || old != want.String() || alias != want.String() {
		t.Errorf("exit %d and %d\ncron export:\n%s\nexport crontab:\n%s\nwant:\n%s", code1, code2, old, alias, want.String())
	}
	if !strings.Contains(oldErr, `warning: cron `) || !strings.Contains(oldErr, `"@every 30s" cannot be expressed in a crontab`) {
		t.Errorf("stderr %q", oldErr)
	}
}
