package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-run/tend/history"
)

// A flaky job (fails twice, then succeeds) with --cron-retry 3: three
// attempts, TEND_CRON_ATTEMPT 1 to 3, each in the log and the history,
// one success; the fourth attempt is never needed.
func TestCronRetryFlakyJob(t *testing.T) {
	t.Parallel()
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	// Every 2 s: the three attempts (retries 50 and 100 ms apart) fit well
	// before the next due run, after which a retry would be too late.
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "n=$(cat tries 2>/dev/null | wc -l); echo attempt $TEND_CRON_ATTEMPT >> tries; [ $n -ge 2 ]", "schedule": "@every 2s", "concurrency_policy": "forbid"}]}`,
	})
	id := cronID(t, dir)
	p := startTend(t, dir, []string{"TEND_LOCK_DIR=" + t.TempDir(), "TEND_HISTORY=" + hist}, "start", "--cron-retry", "3", "--cron-retry-delay", "50ms")
	p.waitFor("cron."+id+": exited with status 1 after", p.stderr)
	p.waitFor("(attempt 1 of 4); retrying in 50ms", p.stderr)
	p.waitFor("(attempt 2 of 4); retrying in 100ms", p.stderr)
	p.waitOutput("cron." + id + ": started (attempt 3 of 4)")
	p.waitOutput("cron." + id + ": exited with status 0 after")
	p.signal(syscall.SIGTERM)
	p.wait()
	tries, _ := os.ReadFile(filepath.Join(dir, "tries"))
	if !strings.HasPrefix(string(tries), "attempt 1\nattempt 2\nattempt 3\n") {
		t.Errorf("TEND_CRON_ATTEMPT: %q", tries)
	}
	f, err := os.Open(hist)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var runs []history.Run
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var r history.Run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	if len(runs) < 3 || runs[0].Attempt != 1 || runs[1].Attempt != 2 || runs[2].Attempt != 3 ||
		runs[0].Outcome != "failed" || runs[1].Outcome != "failed" || runs[2].Outcome != "ok" ||
		!runs[0].Scheduled.Equal(runs[2].Scheduled) {
		t.Errorf("history: %+v", runs)
	}
}

// Bad --cron-retry values and unknown IDs are refused before anything
// starts, by tend start and tend check alike.
func TestCronRetryBadInput(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: touch started; sleep 60\n", "app.json": `{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`})
	id := cronID(t, dir)
	for _, tc := range []struct{ arg, want string }{
		{"web=x", "invalid --cron-retry web=x"},
		{"web=2", `--cron-retry web=2: no cron job "web"; known: ` + id + " (bin/a)"},
		{id + "=x", "invalid --cron-retry " + id + "=x: want a number of retries from 0 to 100"},
		{"-1", "invalid --cron-retry -1"},
	} {
		for _, cmd := range []string{"check", "start"} {
			_, stderr, code := runTend(t, dir, nil, cmd, "--cron-retry", tc.arg)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s --cron-retry %s: exit %d, %q; want 2 and %q", cmd, tc.arg, code, stderr, tc.want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
		t.Error("tend start started the app with a bad --cron-retry")
	}
	if stdout, stderr, code := runTend(t, dir, []string{"TEND_CRON_RETRY=" + id + "=2", "TEND_CRON_PING=https://hc-ping.com/secret"}, "check"); code != 0 ||
		!strings.Contains(stdout, "; 2 retries; pings https://hc-ping.com/…") || strings.Contains(stdout, "secret") {
		t.Errorf("TEND_CRON_RETRY=%s=2: exit %d\n%s%s", id, code, stdout, stderr)
	}
}

// tend cron run and Dokku's cron containers retry too: a flaky job
// succeeds at its second attempt; one that always fails ends with its
// last attempt's status.
func TestCronRetryInTheForeground(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: x\n",
		"app.json": `{"cron": [
			{"command": "n=$(cat tries 2>/dev/null | wc -l); echo attempt $TEND_CRON_ATTEMPT >> tries; [ $n -ge 1 ]", "schedule": "@daily"},
			{"command": "sh -c 'exit 3'", "schedule": "@hourly"}
		]}`,
	})
	ids := cronIDs(t, dir)
	env := []string{"TEND_LOCK_DIR=" + t.TempDir(), "TEND_CRON_RETRY=2"}
	_, stderr, code := runTend(t, dir, env, "cron", "run", "--cron-retry-delay", "50ms", ids[0])
	tries, _ := os.ReadFile(filepath.Join(dir, "tries"))
	if code != 0 || string(tries) != "attempt 1\nattempt 2\n" || !strings.Contains(stderr, "(attempt 1 of 3)\ntend: cron."+ids[0]+": retrying in 50ms") {
		t.Errorf("cron run: exit %d, tries %q\n%s", code, tries, stderr)
	}
	_, stderr, code = runTend(t, dir, append(env, "DYNO=cron.1"), "--cron-retry-delay", "50ms", "sh", "-c", "'exit", "3'")
	if code != 3 || strings.Count(stderr, "exited with status 3") != 3 || !strings.Contains(stderr, "retrying in 100ms") {
		t.Errorf("Dokku's cron container: exit %d\n%s", code, stderr)
	}
}

// A SIGTERM while tend cron run waits for a retry ends it at once, with
// the last attempt's status.
func TestCronRetryForegroundStopsOnSigterm(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: x\n", "app.json": `{"cron": [{"command": "exit 3", "schedule": "@every 24h"}]}`})
	id := cronID(t, dir)
	p := startTend(t, dir, []string{"TEND_LOCK_DIR=" + t.TempDir()}, "cron", "run", "--cron-retry", "1", "--cron-retry-delay", "1h", id)
	p.waitFor("cron."+id+": retrying in 1h0m0s", p.stderr)
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 3 || !strings.Contains(p.stderr.String(), "attempt 2 of 2 dropped: tend is stopping") {
		t.Errorf("exit %d, want 3\n%s", code, p.stderr)
	}
}
