package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-run/tend/report"
)

func TestCheckSummary(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: bin/web\nworker: bin/worker\nrelease: bin/migrate\n",
		"app.json": `{
  // comment
  "cron": [{"command": "bin/report", "schedule": "CRON_TZ=UTC 0 0 31 2 *"}, {"command": "bin/mail", "schedule": "@hourly"},],
  "formation": {"web": {"quantity": 2}},
}`,
		".env": "SECRET=hunter2\nA=1\n",
	})
	stdout, stderr, code := runTend(t, dir, []string{"A=override"}, "check", "--app-name", "myapp")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"Procfile: 3 process types\n",
		"  web      ×2    bin/web\n",
		"  worker   ×0    bin/worker\n",
		"  release  once  bin/migrate\n",
		"app.json: 2 cron entries\n",
		"never fires",
		"next ",
		"dokku id " + dokkuIDForTest("myapp", "bin/mail", "@hourly"),
		" variables, 1 from .env\n",
		`warning: app.json:3: cron[0] ("bin/report"): schedule "CRON_TZ=UTC 0 0 31 2 *" never fires`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, "hunter2") {
		t.Error("check printed a secret value")
	}
}

func dokkuIDForTest(app, command, schedule string) string {
	// Computed independently of appjson: base36 of the bytes, as go-base36.
	var n []byte = []byte(app + "===" + command + "===" + schedule)
	digits := []byte{}
	num := append([]byte(nil), n...)
	for len(num) > 0 {
		var rem int
		var q []byte
		for _, b := range num {
			cur := rem*256 + int(b)
			d := cur / 36
			rem = cur % 36
			if len(q) > 0 || d > 0 {
				q = append(q, byte(d))
			}
		}
		digits = append(digits, "0123456789abcdefghijklmnopqrstuvwxyz"[rem])
		num = q
	}
	for i, j := 0, len(digits)-1; i < j; i, j = i+1, j-1 {
		digits[i], digits[j] = digits[j], digits[i]
	}
	return string(digits)
}

func TestCheckJSON(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: bin/web\n", "app.json": `{"cron": [{"command": "bin/x", "schedule": "@daily", "concurrency_policy": "forbid"}]}`})
	stdout, _, code := runTend(t, dir, nil, "check", "--json")
	var r report.Check
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if len(r.Processes) != 1 || r.Processes[0].Instances != 1 || len(r.Cron) != 1 || r.Cron[0].Policy != "forbid" || r.Cron[0].Next == "" {
		t.Errorf("report: %+v", r)
	}
}

func TestCheckErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		want  []string
	}{
		{"procfile and app.json together", map[string]string{
			"Procfile": "web: ok\nbad line\n",
			"app.json": `{"cron": [{"command": "bin/a", "schedule": "0 0 * * * *"}]}`,
		}, nil, []string{
			`Procfile:2: invalid line "bad line" (expected "name: command")`,
			`app.json:1: cron[0] ("bin/a"): schedule: expected exactly 5 fields, found 6: "0 0 * * * *"`,
		}},
		{"broken json", map[string]string{"Procfile": "web: ok\n", "app.json": "{\n  \"cron\": [\n}\n"}, nil,
			[]string{"app.json:3:1: invalid character '}'"}},
		{"env file", map[string]string{"Procfile": "web: ok\n", ".env": "A=1\nB-C=secret\n"}, nil,
			[]string{`.env:2: unexpected character "-" in variable name`}},
		{"missing env file", map[string]string{"Procfile": "web: ok\n"}, []string{"-e", "nope.env"},
			[]string{"nope.env: no such file or directory"}},
		{"missing app.json given", map[string]string{"Procfile": "web: ok\n"}, []string{"--app-json", "nope.json"},
			[]string{"nope.json: no such file or directory"}},
		{"missing Procfile", map[string]string{}, nil, []string{"/Procfile and no app.json: nothing to run"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeApp(t, tc.files)
			stdout, stderr, code := runTend(t, dir, nil, append([]string{"check"}, tc.args...)...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stdout+stderr, "secret") {
				t.Error("a value leaked")
			}
		})
	}
}

func TestFlagsBeforeOrAfterCommand(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"other/P": "web: bin/web\n"})
	for _, args := range [][]string{
		{"-f", "other/P", "check"},
		{"check", "-f", "other/P"},
		{"check", "--procfile=other/P"},
	} {
		stdout, stderr, code := runTend(t, dir, nil, args...)
		if code != 0 || !strings.Contains(stdout, "other/P: 1 process types") {
			t.Errorf("tend %q: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	stdout, _, code := runTend(t, dir, []string{"TEND_PROCFILE=other/P"}, "check")
	if code != 0 || !strings.Contains(stdout, "other/P") {
		t.Errorf("TEND_PROCFILE: exit %d\n%s", code, stdout)
	}
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	stdout, _, code := runInProcess(t, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "tend version") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
	for _, cmd := range []string{"start", "run", "check"} {
		stdout, _, code := runInProcess(t, cmd, "--help")
		if code != 0 || !strings.Contains(stdout, "tend "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, stdout)
		}
	}
}

// Where Dokku would differ is one line per kind in `tend check`, and in
// `tend start` only inside a Dokku container or with --dokku-warnings.
func TestDokkuWarningsAreQuietOutsideDokku(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: bundle exec puma -p ${PORT:-3000}\nworker: sidekiq -c ${CONC:-5}\nclock: echo $HOME\n",
		"app.json": `{"cron": [{"command": "bin/a", "schedule": "@every 5m"}, {"command": "bin/b", "schedule": "@every 7m"}]}`,
	})
	stdout, _, code := runTend(t, dir, nil, "check")
	if code != 0 || strings.Count(stdout, "dokku: ") != 2 ||
		!strings.Contains(stdout, "dokku: Procfile: 3 commands: $VARS are expanded on the host at deploy time") ||
		!strings.Contains(stdout, "dokku: app.json: 2 cron entries: @every runs under tend, but Dokku's host cron cannot run it (lines 1, 1)") {
		t.Errorf("check: exit %d\n%s", code, stdout)
	}
	for _, c := range []struct {
		env   []string
		args  []string
		noisy bool
	}{
		{nil, nil, false},
		{nil, []string{"--dokku-warnings"}, true},
		{[]string{"DOKKU_APP_TYPE=herokuish"}, nil, true},
	} {
		args := append([]string{"start", "--no-cron", "-m", "web=0,worker=0,clock=1"}, c.args...)
		_, stderr, _ := runTend(t, dir, append(c.env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "s")), args...)
		if got := strings.Contains(stderr, "Dokku"); got != c.noisy {
			t.Errorf("start %v %v: Dokku warnings %v, want %v\n%s", c.env, c.args, got, c.noisy, stderr)
		}
	}
}

// tend check lists app.json's health checks in words, and refuses bad ones
// (and checks of a type the Procfile lacks) at their line.
func TestCheckHealthchecks(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: bin/web\nworker: bin/worker\n",
		"app.json": `{"healthchecks": {
  "web": [{"type": "startup", "path": "/health", "attempts": 5},
          {"type": "liveness", "listening": true, "wait": 10}],
  "worker": [{"uptime": 10}]
}}`,
	})
	stdout, stderr, code := runTend(t, dir, nil, "check")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"app.json: 3 health checks",
		"  web     startup GET /health on $PORT (5 attempts, 5 s apart, 5 s timeout)\n",
		"  web     liveness listening on $PORT (3 attempts, 10 s apart, 5 s timeout)\n",
		"  worker  startup up 10 s without a restart\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}

	for _, tc := range []struct{ checks, want string }{
		{`"web": [{"path": "health"}]`, `app.json:1: healthchecks.web[0]: "path" "health" must start with "/"`},
		{`"web": [{"path": "/"}], "wrker": [{"uptime": 10}]`, `app.json:1: healthchecks.wrker: no process type "wrker" in Procfile`},
	} {
		dir := writeApp(t, map[string]string{"Procfile": "web: bin/web\n", "app.json": `{"healthchecks": {` + tc.checks + `}}`})
		stdout, stderr, code := runTend(t, dir, nil, "check")
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("exit %d, want 1 and %q\n%s%s", code, tc.want, stdout, stderr)
		}
	}
}
