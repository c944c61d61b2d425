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

// A crontab on stdout needs no valid app name: the root's name is used
// for nothing, as before export existed.
func TestCronExportAnyRootName(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(writeApp(t, nil), "My_App 2")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.json"), []byte(`{"cron": [{"command": "a", "schedule": "@daily"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runTend(t, dir, nil, "cron", "export")
	if code != 0 || !strings.Contains(stdout, "@daily cd '"+dir+"' && ") {
		t.Errorf("exit %d, %s\n%s", code, stderr, stdout)
	}
	_, stderr, code = runTend(t, dir, nil, "export", "crontab", "-o", "out")
	if code != 2 || !strings.Contains(stderr, `app name "My_App 2" is not valid`) {
		t.Errorf("-o with an invalid name: exit %d, %s", code, stderr)
	}
}

func TestExportBadInput(t *testing.T) {
	t.Parallel()
	good := map[string]string{"Procfile": "web: x\n", "app.json": `{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`}
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		want  string
	}{
		{"unknown format", good, []string{"export", "upstart", "-o", "out", "--app", "shop"}, 2, `unknown format "upstart": want one of systemd, supervisord, kubernetes, crontab`},
		{"no format", good, []string{"export"}, 2, "want one FORMAT"},
		{"into a file", map[string]string{"Procfile": "web: x\n", "out": "x"}, []string{"export", "systemd", "-o", "out", "--app", "shop"}, 1, "-o out: not a directory"},
		{"bad name", good, []string{"export", "systemd", "-o", "out", "--app", "My_Shop"}, 2, `app name "My_Shop" is not valid: use 1 to 30 of a-z, 0-9 and '-'`},
		{"bad Procfile", map[string]string{"Procfile": "web: x\nthis is not a line\n"}, []string{"export", "systemd", "-o", "out", "--app", "shop"}, 1, "Procfile:2:"},
		{"bad app.json", map[string]string{"Procfile": "web: x\n", "app.json": "{\"cron\": [\n{\"command\": \"a\", \"schedule\": \"61 * * * *\"}]}"}, []string{"export", "supervisord", "-o", "out", "--app", "shop"}, 1, "app.json:2:"},
		{"many files to stdout", good, []string{"export", "systemd", "--app", "shop"}, 2, "systemd writes 4 files: give -o DIR"},
	} {
		dir := writeApp(t, tc.files)
		_, stderr, code := runTend(t, dir, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, stderr, tc.code, tc.want)
		}
		if fi, err := os.Stat(filepath.Join(dir, "out")); err == nil && fi.IsDir() {
			t.Errorf("%s: wrote %s", tc.name, filepath.Join(dir, "out"))
		}
	}
}

func TestExportForce(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n"})
	if _, stderr, code := runTend(t, dir, nil, "export", "systemd", "-o", "out", "--app", "shop"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, stderr, code := runTend(t, dir, nil, "export", "systemd", "-o", "out", "--app", "shop", "-t", "9")
	if code != 1 || !strings.Contains(stderr, "shop-web@.service, shop.target already exist; nothing written (--force overwrites)") {
		t.Errorf("second export: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runTend(t, dir, nil, "export", "systemd", "-o", "out", "--app", "shop", "-t", "9", "--force"); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	unit, _ := os.ReadFile(filepath.Join(dir, "out", "shop-web@.service"))
	if !strings.Contains(string(unit), "TimeoutStopSec=9\n") {
		t.Errorf("not overwritten:\n%s", unit)
	}
}

// The exported ExecStart= really runs the type through tend, with the
// instance's PORT and the type's name in DYNO, from anywhere.
func TestExportSystemdExecStart(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo \"port=$PORT dyno=$DYNO from=$(pwd)\" > ran.txt\n",
		"app.json": `{"formation": {"web": {"quantity": 2}}}`,
	})
	if _, stderr, code := runTend(t, dir, nil, "export", "systemd", "-o", "out", "--app", "shop"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	target, _ := os.ReadFile(filepath.Join(dir, "out", "shop.target"))
	if !strings.Contains(string(target), "Wants=shop-web@5000.service\nWants=shop-web@5001.service\n") {
		t.Fatalf("target:\n%s", target)
	}
	unit, _ := os.ReadFile(filepath.Join(dir, "out", "shop-web@.service"))
	var argv []string
	for _, l := range lines(string(unit)) {
		if rest, ok := strings.CutPrefix(l, "ExecStart="); ok {
			argv = strings.Fields(rest) // no quoting in a temp dir's paths
		}
	}
	if len(argv) == 0 || argv[0] != tendBin {
		t.Fatalf("ExecStart %q", argv)
	}
	_, stderr, code := runTend(t, t.TempDir(), []string{"PORT=5001", "DYNO=web.5001", "PS=web.5001"}, argv[1:]...)
	ran, _ := os.ReadFile(filepath.Join(dir, "ran.txt"))
	if code != 0 || string(ran) != "port=5001 dyno=web.5001 from="+dir+"\n" {
		t.Errorf("exit %d, %s; ran.txt %q", code, stderr, ran)
	}
}

// --lock-url holds the database's password: no export writes it, each
// says where TEND_LOCK_URL must come from instead, and warns.
func TestExportNeverWritesTheLockURL(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n", "app.json": `{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`})
	env := []string{"TEND_LOCK_URL=postgres://shop:hunter2@db.internal/shop"}
	for _, tc := range []struct {
		args []string
		file string // in out/, or "" for stdout
		want string
	}{
		{[]string{"systemd", "-o", "sd"}, "", "--lock-url is not written here (it holds the database password): give the cron services TEND_LOCK_URL"},
		{[]string{"crontab"}, "", "# --lock-url is not written here (it holds the database password): add a TEND_LOCK_URL=... line"},
		{[]string{"kubernetes", "--image", "shop:1"}, "", "# --lock-url is not needed here"},
	} {
		stdout, stderr, code := runTend(t, dir, env, append([]string{"export", "--app", "shop"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("export %s: exit %d, stderr %q", tc.args[0], code, stderr)
		}
		written := stdout
		if tc.args[0] == "systemd" {
			entries, err := os.ReadDir(filepath.Join(dir, "sd"))
			if err != nil {
				t.Fatal(err)
			}
			written = ""
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(dir, "sd", e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				written += string(b)
			}
		}
		if !strings.Contains(written, tc.want) {
			t.Errorf("export %s: no %q in\n%s", tc.args[0], tc.want, written)
		}
		for _, secret := range []string{"hunter2", "db.internal", "postgres://"} {
			if strings.Contains(written, secret) || strings.Contains(stderr, secret) {
				t.Errorf("export %s: %q written:\n%s\nstderr:\n%s", tc.args[0], secret, written, stderr)
			}
		}
		if tc.args[0] != "kubernetes" && !strings.Contains(stderr, "warning: --lock-url is not written into the export") {
			t.Errorf("export %s: no warning in stderr %q", tc.args[0], stderr)
		}
	}
}
