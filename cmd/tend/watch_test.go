package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// replaceFile saves content as editors do: a new file renamed over the old.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp~"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const watchProcfile = "web: echo web up $GREETING; sleep 60\nworker: echo worker v1 $GREETING; sleep 60\n"

func TestWatchRestartsOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": watchProcfile})
	p := startTend(t, dir, nil, "start", "--watch")
	p.waitOutput("web.1    | web up")
	p.waitOutput("worker.1 | worker v1")
	replaceFile(t, filepath.Join(dir, "Procfile"), strings.Replace(watchProcfile, "v1", "v2", 1))
	p.waitOutput("worker.1 | worker v2")
	p.waitOutput("reload (files changed): worker restarted (command changed)")

	// An invalid edit (written in place) changes nothing and says why.
	writeFile(t, filepath.Join(dir, "Procfile"), "web: echo web up; sleep 60\nbroken line\n")
	waitStderr(t, p, `Procfile:2: invalid line "broken line"`)
	waitStderr(t, p, "failed: nothing changed")
	// Fixing it applies: worker goes, clock comes.
	writeFile(t, filepath.Join(dir, "Procfile"), "web: echo web up $GREETING; sleep 60\nclock: echo tick; sleep 60\n")
	p.waitOutput("clock.1  | tick")
	p.waitOutput("clock started, worker stopped")
	if n := strings.Count(p.stdout.String(), "web.1 started with pid"); n != 1 {
		t.Errorf("web was started %d times, want once (untouched)\n%s", n, p.stdout)
	}
	if !strings.Contains(p.stdout.String(), "clock.1 started with pid") || !strings.Contains(p.stdout.String(), "(port 5200)") {
		t.Errorf("clock did not get the next free port block:\n%s", p.stdout)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestWatchEnvironmentChangeRestartsAll(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": watchProcfile, ".env": "GREETING=hello\n"})
	p := startTend(t, dir, nil, "start", "--watch")
	p.waitOutput("web.1    | web up hello")
	p.waitOutput("worker.1 | worker v1 hello")
	replaceFile(t, filepath.Join(dir, ".env"), "GREETING=bonjour\n")
	p.waitOutput("web.1    | web up bonjour")
	p.waitOutput("worker.1 | worker v1 bonjour")
	p.waitOutput("environment changed: restarted web, worker")
	p.signal(syscall.SIGTERM)
	p.wait()
	// The real environment wins over the file: no effective change, no restart.
	p = startTend(t, dir, []string{"GREETING=real"}, "start", "--watch")
	p.waitOutput("web.1    | web up real")
	replaceFile(t, filepath.Join(dir, ".env"), "GREETING=ciao\n")
	p.waitOutput("reload (files changed): nothing changed")
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestSighupReloadsCronWithoutTouchingWeb(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\n", "app.json": `{"cron": []}`})
	p := startTend(t, dir, nil, "start", "--watch")
	p.waitOutput("web.1 | web up")
	// SIGHUP applies the edit as well (here it races the watcher; either
	// way the result is one applied reload with the cron entry added).
	writeFile(t, filepath.Join(dir, "app.json"), `{"cron": [{"command": "echo tick", "schedule": "@every 1s"}]}`)
	p.signal(syscall.SIGHUP)
	p.waitOutput("1 cron entries added")
	p.waitOutput("| tick")
	if n := strings.Count(p.stdout.String(), "web.1 started with pid"); n != 1 {
		t.Errorf("web was started %d times, want once\n%s", n, p.stdout)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestSighupReloadWithoutWatch(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web v1; sleep 60\n"})
	p := startTend(t, dir, nil, "start")
	p.waitOutput("web.1 | web v1")
	writeFile(t, filepath.Join(dir, "Procfile"), "web: echo web v2; sleep 60\n")
	p.signal(syscall.SIGHUP)
	p.waitOutput("reload (SIGHUP): web restarted (command changed)")
	p.waitOutput("web.1 | web v2")
	p.signal(syscall.SIGTERM)
	p.wait()
}

func TestWatchPathRestartsNamedTypes(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": watchProcfile, "src/app/main.txt": "v1", "node_modules/x/y.txt": "x"})
	p := startTend(t, dir, nil, "start", "--watch", "--watch-path", "src/**/*.txt", "--watch-restart", "worker")
	p.waitOutput("worker.1 | worker v1")
	writeFile(t, filepath.Join(dir, "node_modules/x/y.txt"), "ignored")
	writeFile(t, filepath.Join(dir, "src/app/other.md"), "not matched")
	writeFile(t, filepath.Join(dir, "src/app/deeper/new.txt"), "matched, in a new directory")
	writeFile(t, filepath.Join(dir, "src/app/main.txt"), "v2")
	p.waitOutput(": restarting worker.1")
	p.signal(syscall.SIGTERM)
	p.wait()
	out := p.stdout.String()
	if strings.Count(out, "web.1 started with pid") != 1 || strings.Contains(out, "y.txt") || strings.Contains(out, "other.md") {
		t.Errorf("wrong restarts:\n%s", out)
	}
}

// waitStderr waits until tend's stderr contains s.
func waitStderr(t *testing.T, p *tendProc, s string) {
	t.Helper()
	p.waitFor(s, p.stderr)
}

func TestWatchFormationChange(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web $PS; sleep 60\nworker: echo worker $PS; sleep 60\n",
		"app.json": `{"formation": {"web": {"quantity": 1}, "worker": {"quantity": 1}}}`,
	})
	p := startTend(t, dir, nil, "start", "--watch")
	p.waitOutput("| web web.1")
	p.waitOutput("| worker worker.1")
	replaceFile(t, filepath.Join(dir, "app.json"), `{"formation": {"web": {"quantity": 2}}}`)
	p.waitOutput("| web web.2")
	p.waitOutput("reload (files changed): web started, worker stopped")
	p.signal(syscall.SIGTERM)
	p.wait()
	if n := strings.Count(p.stdout.String(), "web.1 started with pid"); n != 1 {
		t.Errorf("web.1 started %d times, want once\n%s", n, p.stdout)
	}
}

func TestReloadCommand(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web v1; sleep 60\n"})
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	p := startTend(t, dir, env, "start")
	p.waitOutput("web.1 | web v1")
	writeFile(t, filepath.Join(dir, "Procfile"), "web: echo web v2; sleep 60\n")
	if _, stderr, code := runTend(t, dir, env, "reload"); code != 0 {
		t.Fatalf("tend reload: exit %d, %s", code, stderr)
	}
	p.waitOutput("reload (tend reload): web restarted (command changed)")
	p.waitOutput("web.1 | web v2")
	p.signal(syscall.SIGTERM)
	p.wait()
}

// Under --watch a crash does not stop the formation: `tend status` shows
// the process waiting for a change, and the next edit starts it again.
func TestWatchKeepsRunningAfterACrash(t *testing.T) {
	t.Parallel()
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 60\nbroken: echo broken $GREETING; exit 3\n", ".env": "GREETING=v1\n"})
	p := startTend(t, dir, env, "start", "--watch")
	p.waitOutput("web up")
	p.waitOutput("broken.1 exited with status 3; the rest keeps running")
	if stdout, _, _ := runTend(t, dir, env, "status"); !strings.Contains(stdout, "exited, waiting for a change") {
		t.Errorf("status:\n%s", stdout)
	}
	replaceFile(t, filepath.Join(dir, ".env"), "GREETING=v2\n")
	p.waitOutput("broken v2")
	p.signal(syscall.SIGTERM)
	p.wait()
}
