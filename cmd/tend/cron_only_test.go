package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A container that only runs scheduled jobs (supercronic's first test,
// "it starts"): no Procfile, or an empty one, and app.json's cron.
const cronOnlyJSON = `{"cron": [
	{"command": "echo tick", "schedule": "@every 1s"},
	{"command": "trap 'sleep 0.3; echo job saved its work; exit 0' TERM; echo job running; while :; do sleep 0.05; done", "schedule": "@every 1s", "concurrency_policy": "forbid"}
]}`

func TestCronOnlyAppStartsAnswersAndDrains(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"no Procfile":    {"app.json": cronOnlyJSON},
		"empty Procfile": {"app.json": cronOnlyJSON, "Procfile": "# nothing but cron\n"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeApp(t, files)
			env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
			addr := freeAddr(t)
			p := startTend(t, dir, env, "start", "--metrics-addr", addr)
			p.waitOutput("| tick")
			p.waitOutput("| job running")
			snap := statusOf(t, dir, env)
			if len(snap.Processes) != 0 || len(snap.Cron) != 2 {
				t.Errorf("status: %d processes, %d cron jobs; want 0 and 2", len(snap.Processes), len(snap.Cron))
			}
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("/healthz: %d", resp.StatusCode)
			}
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit %d\n%s%s", code, p.stdout, p.stderr)
			}
			if !strings.Contains(p.stdout.String(), "job saved its work") {
				t.Errorf("the running job was not drained:\n%s%s", p.stdout, p.stderr)
			}
		})
	}
}

func TestCronOnlyCheck(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"app.json": cronOnlyJSON})
	stdout, stderr, code := runTend(t, dir, nil, "check")
	if code != 0 || !strings.HasPrefix(stdout, "Procfile (not found): 0 process types, 2 cron jobs") {
		t.Errorf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, code = runTend(t, dir, nil, "check", "--json")
	var r map[string]any
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != 0 || r["procfile_missing"] != true {
		t.Errorf("check --json: exit %d, %v\n%s", code, err, stdout)
	}
}

// TestNothingToRun: a missing Procfile is an error only when app.json has
// no cron entries either, and then the error says so.
func TestNothingToRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		want  string
	}{
		{"neither", map[string]string{}, nil, "no Procfile at DIR/Procfile and no app.json: nothing to run"},
		{"app.json without cron", map[string]string{"app.json": `{"formation": {"web": {"quantity": 1}}}`}, nil,
			"no Procfile at DIR/Procfile and no cron entries in app.json: nothing to run"},
		{"empty Procfile", map[string]string{"Procfile": "\n"}, nil, "no process types in Procfile and no app.json: nothing to run"},
		{"-f PATH must exist", map[string]string{"app.json": cronOnlyJSON}, []string{"-f", "Procfile.dev", "--app-json", "app.json"},
			"read Procfile: open Procfile.dev: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeApp(t, tc.files)
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			for _, cmd := range []string{"start", "check"} {
				stdout, stderr, code := runTend(t, dir, nil, append([]string{cmd}, tc.args...)...)
				if code != 1 || !strings.Contains(stderr, want) {
					t.Errorf("%s: exit %d, stderr %q, want exit 1 and %q\n%s", cmd, code, stderr, want, stdout)
				}
			}
		})
	}
}
