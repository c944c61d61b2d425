package client

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/control"
	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/status"
)

// serve answers on a socket in a temp dir with do, as a running tend.
func serve(t *testing.T, do control.Handler) Tend {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tend.sock")
	l, err := control.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go control.Serve(l, do, nil, nil, nil)
	return Tend{Socket: path, Root: t.TempDir()}
}

func TestStatusCheckAndRefusal(t *testing.T) {
	tend := serve(t, func(op, target string) (status.Snapshot, error) {
		if op == status.OpStop {
			return status.Snapshot{Pid: 1}, errors.New("no process matches nope")
		}
		return status.Snapshot{Pid: 4242}, nil
	})
	var out bytes.Buffer
	if ok, err := tend.Status(StatusOptions{JSON: true}, &out); !ok || err != nil || !strings.Contains(out.String(), "4242") {
		t.Errorf("status --json: %v %v %q", ok, err, out.String())
	}
	if _, err := tend.Call(control.Request{Op: status.OpStop, Target: "nope"}); err == nil || err.Error() != "no process matches nope" {
		t.Errorf("refused stop: %v", err)
	}
	if _, err := (Tend{Socket: filepath.Join(t.TempDir(), "none.sock")}).Status(StatusOptions{}, &out); !errors.Is(err, control.ErrNotRunning) {
		t.Errorf("no tend: %v", err)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	if got, err := ParseSince("10m", now); err != nil || !got.Equal(now.Add(-10*time.Minute)) {
		t.Errorf("10m: %v %v", got, err)
	}
	if got, err := ParseSince("2026-11-24T09:40:00Z", now); err != nil || !got.Equal(now.Add(-20*time.Minute)) {
		t.Errorf("RFC 3339: %v %v", got, err)
	}
	for _, bad := range []string{"-5m", "yesterday"} {
		if _, err := ParseSince(bad, now); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// cronApp is an app with one cron job, and its ID.
func cronApp(t *testing.T) (app.Options, string) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: sleep 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.json"), []byte(`{"cron": [{"command": "echo hi", "schedule": "@daily"}]}`), 0o644)
	a, err := app.Load(app.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	return app.Options{Root: dir}, a.Cron.Jobs[0].ID
}

// With no tend running, the history file's runs are read: the last, the
// N-th last, and too few.
func TestCronLogsFromTheHistoryFile(t *testing.T) {
	a, id := cronApp(t)
	file := filepath.Join(t.TempDir(), "history")
	store, err := history.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i, outcome := range []string{history.OutcomeOK, history.OutcomeFailed} {
		if err := store.Add(history.Run{Job: id, Started: start.Add(time.Duration(i) * time.Hour), Duration: time.Second, Outcome: outcome, ExitCode: i, Output: "run " + outcome}); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	o := CronLogsOptions{Socket: filepath.Join(t.TempDir(), "tend.sock"), History: file, Run: 1}
	var out bytes.Buffer
	if err := CronLogs(a, id, o, &out); err != nil || !strings.HasPrefix(out.String(), "cron."+id+": started 2026-11-24T10:00:00Z") || !strings.HasSuffix(out.String(), "run failed\n") {
		t.Errorf("last run: %v %q", err, out.String())
	}
	o.Run, o.Failed = 2, true
	if err := CronLogs(a, id, o, &out); err == nil || !strings.Contains(err.Error(), "1 failed runs kept (in "+file+"), no run 2") {
		t.Errorf("no second failed run: %v", err)
	}
	o.History = ""
	if err := CronLogs(a, id, o, &out); err == nil || !strings.Contains(err.Error(), "no --history file") {
		t.Errorf("no history: %v", err)
	}
}

// Suspend keeps a file in the lock dir, which CronList reads.
func TestSuspendAndList(t *testing.T) {
	a, id := cronApp(t)
	s := app.Settings{LockDir: t.TempDir()}
	if err := CronList(app.Options{Root: t.TempDir()}, s, false, io.Discard); err == nil {
		t.Error("listed an app with no Procfile")
	}
	var out bytes.Buffer
	if err := Suspend(a, s, []string{"nope"}, false, true, &out); err == nil {
		t.Error("an unknown ID is suspended")
	}
	if err := Suspend(a, s, nil, true, true, &out); err != nil || out.String() != "cron."+id+" suspended (echo hi)\n" {
		t.Fatalf("suspend --all: %v %q", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(s.LockDir, id+".suspended")); err != nil {
		t.Error(err)
	}
	out.Reset()
	if err := CronList(a, s, true, &out); err != nil || !strings.Contains(out.String(), `"suspended": true`) {
		t.Errorf("list: %v %s", err, out.String())
	}
	out.Reset()
	if err := Suspend(a, s, []string{id}, false, false, &out); err != nil || !strings.Contains(out.String(), "resumed") {
		t.Errorf("resume: %v %q", err, out.String())
	}
}
