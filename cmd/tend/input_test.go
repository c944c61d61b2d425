package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkWithin runs `tend check` in dir and fails the test (SIGKILLing
// tend) if it has not exited within a generous deadline: on a FIFO the
// old tend waited for a writer for ever.
func checkWithin(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := startTend(t, dir, env, append([]string{"check"}, args...)...)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		t.Fatalf("tend check did not exit within 30 s; stderr:\n%s", p.stderr)
	}
	return p.stdout.String(), p.stderr.String(), p.code
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckSpecialFiles: a Procfile, app.json or .env that is a named pipe
// is an error naming it, at once; a symlink to a regular file is fine.
func TestCheckSpecialFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Procfile", "app.json", ".env"} {
		t.Run(name, func(t *testing.T) {
			dir := writeApp(t, map[string]string{"Procfile": "web: bin/web\n", "app.json": "{}", ".env": "A=1\n"})
			os.Remove(filepath.Join(dir, name))
			mkfifo(t, filepath.Join(dir, name))
			_, stderr, code := checkWithin(t, dir, nil)
			if want := name + " is a named pipe, not a regular file"; code != 1 || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
			}
		})
	}
	dir := writeApp(t, map[string]string{"real/Procfile": "web: bin/web\n", "real/app.json": "{}", "real/.env": "A=1\n"})
	for _, name := range []string{"Procfile", "app.json", ".env"} {
		if err := os.Symlink(filepath.Join("real", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if stdout, stderr, code := checkWithin(t, dir, nil); code != 0 {
		t.Errorf("symlinks to regular files: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestReloadSpecialFile: a reload that finds a named pipe in place of the
// .env used to hang the supervisor (SIGTERM ignored, tend status hung).
// Now the reload fails with the reason and the drain works as ever.
func TestReloadSpecialFile(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web up; sleep 30\n", ".env": "A=1\n"})
	p := startTend(t, dir, nil, "start")
	p.waitOutput("web.1 | web up")
	env := filepath.Join(dir, ".env")
	os.Remove(env)
	mkfifo(t, env)
	p.signal(syscall.SIGHUP)
	waitStderr(t, p, "read env file: .env is a named pipe, not a regular file")
	waitStderr(t, p, "reload (SIGHUP) failed: nothing changed")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d after SIGTERM\n%s", code, p.stderr)
	}
}

// TestCheckDeepNesting: 700,000 "[" overflowed the goroutine stack in the
// JSON parser, a fatal error; now it is an error at its line.
func TestCheckDeepNesting(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: bin/web\n",
		"app.json": "{\n  \"cron\": [],\n  \"x\": " + strings.Repeat("[", 700_000) + "\n}\n",
	})
	_, stderr, code := checkWithin(t, dir, nil)
	want := "app.json:3: nested too deeply: more than 10000 levels of arrays and objects"
	if code != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "goroutine") {
		t.Errorf("exit %d, stderr %.300q; want 1 and %q", code, stderr, want)
	}
}

// TestWatchReloadOfADeeplyNestedAppJSON: the same file arriving on a
// --watch reload killed the running tend (a fatal stack overflow) and
// orphaned its children; now the reload fails and the process keeps
// running with the same pid.
func TestWatchReloadOfADeeplyNestedAppJSON(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web up; exec sleep 60\n",
		"app.json": `{"cron": []}`,
	})
	p := startTend(t, dir, nil, "start", "--watch")
	p.waitOutput("web.1 | web up")
	nested := "{\n  \"cron\": [],\n  \"x\": " + strings.Repeat("[", 700_000) + "\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "app.json"), []byte(nested), 0o644); err != nil {
		t.Fatal(err)
	}
	waitStderr(t, p, "app.json:3: nested too deeply")
	waitStderr(t, p, "failed: nothing changed")
	if strings.Count(p.stdout.String(), "web.1 started") != 1 {
		t.Errorf("web was restarted:\n%s", p.stdout)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 || strings.Contains(p.stderr.String(), "goroutine") {
		t.Errorf("exit %d after SIGTERM\n%.2000s", code, p.stderr)
	}
}

// TestCheckRefusesWhatStartCannotRun: a NUL byte and a 900 KB command
// passed check, then failed when started (/bin/sh: invalid argument;
// E2BIG, status 126). check and start report them at their lines, and
// start runs nothing, not even the release command.
func TestCheckRefusesWhatStartCannotRun(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "release: touch released\nweb: echo a\x00b\nworker: echo " + strings.Repeat("x", 900_000) + "\n",
		"app.json": `{"cron": [
  {"command": "bin/ok", "schedule": "@every 1s"},
  {"command": "bin/fast", "schedule": "@every 0s"},
  {"command": "bin/faster", "schedule": "@every 1ms"}
]}`,
	})
	wants := []string{
		`Procfile:2: process "web" has a NUL byte in its command (byte 7), which cannot be passed to /bin/sh`,
		`Procfile:3: process "worker" has a command of 900005 bytes, over the limit of 65536 (the kernel refuses an argument of 128 KiB)`,
		`app.json:3: cron[1] ("bin/fast"): schedule: @every 0s is shorter than the minimum of 1s`,
		`app.json:4: cron[2] ("bin/faster"): schedule: @every 1ms is shorter than the minimum of 1s`,
	}
	_, stderr, code := checkWithin(t, dir, nil)
	for _, want := range wants {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("check: exit %d, stderr lacks %q:\n%.2000s", code, want, stderr)
		}
	}
	_, stderr, code = runTend(t, dir, nil, "start", "--release")
	for _, want := range wants {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("start: exit %d, stderr lacks %q:\n%.2000s", code, want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "released")); err == nil {
		t.Error("start ran the release command despite the errors")
	}
}

// TestCheckCapsProblems: every problem of a file with thousands is not
// printed; the first 20 are, then a count.
func TestCheckCapsProblems(t *testing.T) {
	t.Parallel()
	var procfile strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&procfile, "bad line %d\n", i)
	}
	dir := writeApp(t, map[string]string{"Procfile": procfile.String()})
	_, stderr, code := checkWithin(t, dir, nil)
	got := lines(stderr)
	if code != 1 || len(got) != 21 || !strings.HasPrefix(got[0], "Procfile:1: invalid line") ||
		!strings.HasPrefix(got[19], "Procfile:20: ") || got[20] != "… and 4980 more problems" {
		t.Errorf("exit %d, %d lines:\n%.3000s", code, len(got), stderr)
	}
	stdout, _, code := checkWithin(t, dir, nil, "--json")
	if code != 1 || !strings.Contains(stdout, `"… and 4980 more problems"`) || strings.Count(stdout, "invalid line") != 20 {
		t.Errorf("--json: exit %d\n%.3000s", code, stdout)
	}
}

// TestEnvValuesNeverPrinted: messages about a variable name it and say
// what is wrong, never quote its value.
func TestEnvValuesNeverPrinted(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web up; sleep 30\n",
		"app.json": `{"cron": [{"command": "echo tick", "schedule": "@daily"}]}`,
	})
	_, stderr, code := runTend(t, dir, []string{"PORT=hunter2"}, "start")
	if code != 2 || !strings.Contains(stderr, "PORT is not a port number from 1 to 65535") || strings.Contains(stderr, "hunter2") {
		t.Errorf("PORT: exit %d, stderr %q", code, stderr)
	}
	p := startTend(t, dir, []string{"DYNO=hunter2"}, "start")
	p.waitOutput("not running the 1 app.json cron jobs: DYNO is set")
	p.signal(syscall.SIGTERM)
	p.wait()
	if out := p.stdout.String() + p.stderr.String(); strings.Contains(out, "hunter2") {
		t.Errorf("DYNO's value printed:\n%s", out)
	}
	// A value no process can be given is named by its variable.
	dir = writeApp(t, map[string]string{"Procfile": "web: bin/web\n", ".env": "A=1\nTOKEN=hunter2\x00\n"})
	_, stderr, code = checkWithin(t, dir, nil)
	if code != 1 || !strings.Contains(stderr, ".env:2: the value of TOKEN has a NUL byte") || strings.Contains(stderr, "hunter2") {
		t.Errorf(".env NUL: exit %d, stderr %q", code, stderr)
	}
}

// TestSettingValuesNeverPrinted: tend's own TEND_* settings are config vars
// too; an unusable one is named, never quoted (file paths excepted: they
// are what one must see to fix them).
func TestSettingValuesNeverPrinted(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: sleep 30\n",
		"app.json": `{"cron": [{"command": "echo tick", "schedule": "@daily"}]}`})
	for _, c := range []struct{ env, want string }{
		{"TEND_TIMEOUT", "invalid --timeout: want seconds or a duration"},
		{"TEND_CRON", "TEND_CRON (for --cron) is not a boolean"},
		{"TEND_RESTART", "--restart: entry 1 is not a process type of Procfile (its types: web)"},
		{"TEND_MAX_MEMORY", "--max-memory: entry 1 is not type=size"},
		{"TEND_MAX_AGE", "--max-age: entry 1 is not type=duration"},
		{"TEND_ON_FAILURE_EVERY", "invalid --on-failure-every: want a duration"},
		{"TEND_WATCH", "TEND_WATCH (for --watch) is not a boolean"},
		{"TEND_FORMATION", "invalid formation: entry 1 is not name=N"},
		{"TEND_STOP_SIGNAL", "--stop-signal: entry 1 is not type=value"},
		{"TEND_LOG_FORMAT", "invalid --log-format: want text or json"},
		{"TEND_METRICS_ADDR", "--metrics-addr: missing port in address"},
		{"TEND_CRON_TIMEOUT", "invalid --cron-timeout"},
	} {
		_, stderr, code := runTend(t, dir, []string{c.env + "=hunter2"}, "start")
		if code == 0 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "hunter2") {
			t.Errorf("%s: exit %d, stderr %q, want %q without the value", c.env, code, stderr, c.want)
		}
	}
}
