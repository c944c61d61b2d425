package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// bare runs argv directly in dir, as a shell would without tend.
func bare(t *testing.T, dir string, argv ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%q: %v", argv, err)
	}
	return out.String(), errOut.String(), code
}

// TestRunLeavesTheCommandsOptionsAlone: from COMMAND on every word is the
// command's (foreman: "run doesn't parse options for the command"), in
// `tend run` and in exec mode, so each prints what the bare command does.
func TestRunLeavesTheCommandsOptionsAlone(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web\n", ".env": "FOO=bar\n", "other.env": "X=from-other\n"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+string(body)+"\n")
	}))
	defer srv.Close()
	for _, tc := range []struct {
		tend []string // tend's arguments before the command, if any
		cmd  []string
	}{
		{[]string{"run"}, []string{"ls", "-la"}},
		{[]string{"run"}, []string{"sh", "-c", "echo hi"}},
		{[]string{"run"}, []string{"python3", "-m", "calendar", "2026", "1"}},
		{[]string{"run"}, []string{"grep", "-e", "FOO", ".env"}},
		{[]string{"run"}, []string{"ls", "-d", "."}},
		{[]string{"run"}, []string{"curl", "-s", "-d", "x", srv.URL}},
		{[]string{"run"}, []string{"printf", `%s\n`, "-t"}},
		{[]string{"run"}, []string{"sh", "-c", "echo --help -h"}},
		{[]string{"run", "-t", "5", "--"}, []string{"ls", "-d", "."}},
		{[]string{"run", "-e", "other.env"}, []string{"grep", "-e", "X", "other.env"}},
		{[]string{"-e", "other.env", "run"}, []string{"ls", "-la"}},
		{nil, []string{"ls", "-la"}},
		{[]string{"--"}, []string{"ls", "-la"}},
		{[]string{"-t", "5"}, []string{"grep", "-e", "FOO", ".env"}},
	} {
		if _, err := exec.LookPath(tc.cmd[0]); err != nil {
			if os.Getenv("CI") != "" { // .ci/run installs every program here
				t.Fatalf("%q: %v", tc.cmd, err)
			}
			t.Logf("skipping %q: %v", tc.cmd, err)
			continue
		}
		wantOut, wantErr, wantCode := bare(t, dir, tc.cmd...)
		args := append(append([]string{}, tc.tend...), tc.cmd...)
		stdout, stderr, code := runTend(t, dir, nil, args...)
		if stdout != wantOut || stderr != wantErr || code != wantCode {
			t.Errorf("tend %q: exit %d, stdout %q, stderr %q\nbare: exit %d, stdout %q, stderr %q",
				args, code, stdout, stderr, wantCode, wantOut, wantErr)
		}
	}
}

func TestRunProcfileTypeGetsTheArguments(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "rake: echo rake\n"})
	for _, args := range [][]string{{"run", "rake", "--trace", "-t", "db:migrate"}, {"rake", "--trace", "-t", "db:migrate"}} {
		stdout, stderr, code := runTend(t, dir, nil, args...)
		if stdout != "rake --trace -t db:migrate\n" || code != 0 {
			t.Errorf("tend %q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestUsageErrorsAreOneLineAndAHint: no help text, the option spelled as
// it was typed, and the command whose help explains it.
func TestUsageErrorsAreOneLineAndAHint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args      []string
		msg, hint string
	}{
		{[]string{"run", "--yolo", "ls"}, "unknown option --yolo", "tend run"},
		{[]string{"run", "-yolo", "ls"}, "unknown option -yolo", "tend run"},
		{[]string{"--yolo", "ls"}, "unknown option --yolo", "tend run"},
		{[]string{"start", "--yolo"}, "unknown option --yolo", "tend start"},
		{[]string{"start", "web", "--yolo=1"}, "unknown option --yolo", "tend start"},
		{[]string{"check", "-x"}, "unknown option -x", "tend check"},
		{[]string{"cron", "run", "--yolo", "id"}, "unknown option --yolo", "tend cron run"},
		{[]string{"status", "--yolo"}, "unknown option --yolo", "tend status"},
		{[]string{"run", "--timeout"}, "option --timeout needs a value", "tend run"},
		{[]string{"start", "--port", "abc"}, `invalid value "abc" for option --port: parse error`, "tend start"},
		{[]string{"run"}, "missing COMMAND", "tend run"},
	} {
		stdout, stderr, code := runInProcess(t, tc.args...)
		want := "tend: " + tc.msg + "\nTry '" + tc.hint + " --help' for more information.\n"
		if code != 2 || stderr != want || stdout != "" {
			t.Errorf("tend %q: exit %d, stdout %q, stderr %q; want exit 2 and stderr %q", tc.args, code, stdout, stderr, want)
		}
	}
}

// TestRunIsAOneOffDyno: like `heroku run` and `dokku run`, PS and DYNO are
// run.N unless the caller named the dyno; exec mode (tend as a container's
// init) leaves them to the platform.
func TestRunIsAOneOffDyno(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: echo web\n"})
	script := `echo "$DYNO $PS"`
	stdout, stderr, code := runTend(t, dir, nil, "run", "--", "sh", "-c", script)
	if m := regexp.MustCompile(`^run\.(\d+) run\.(\d+)\n$`).FindStringSubmatch(stdout); code != 0 || m == nil || m[1] != m[2] {
		t.Errorf("tend run: exit %d, stdout %q, stderr %q; want DYNO=PS=run.N", code, stdout, stderr)
	}
	stdout, _, _ = runTend(t, dir, []string{"DYNO=worker.3", "PS=worker.3"}, "run", "--", "sh", "-c", script)
	if stdout != "worker.3 worker.3\n" {
		t.Errorf("with DYNO=worker.3: %q", stdout)
	}
	stdout, _, _ = runTend(t, dir, nil, "--", "sh", "-c", script)
	if stdout != " \n" {
		t.Errorf("exec mode: %q, want DYNO and PS unset", stdout)
	}
}
