package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// pingServer is a real HTTP server on 127.0.0.1 that records pings.
type pingServer struct {
	*httptest.Server
	mu  sync.Mutex
	got map[string]string // path → last body
}

func newPingServer(t *testing.T) *pingServer {
	s := &pingServer{got: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got[r.Method+" "+r.URL.Path] = string(body)
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pingServer) body(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.got[key]
	return b, ok
}

// healthchecks.io's convention, received by a real server: /start, then
// success with the output as the body, /3 for exit status 3, /fail for a
// run tend stopped at its timeout.
func TestCronPings(t *testing.T) {
	t.Parallel()
	srv := newPingServer(t)
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [
			{"command": "echo hello from job", "schedule": "@every 1s"},
			{"command": "echo bad; exit 3", "schedule": "@every 1s"},
			{"command": "sleep 30", "schedule": "@every 1s", "concurrency_policy": "forbid"}
		]}`,
	})
	ids := cronIDs(t, dir)
	p := startTend(t, dir, []string{"TEND_LOCK_DIR=" + t.TempDir()}, "start", "-t", "1",
		"--cron-ping", srv.URL+"/{id}", "--cron-timeout", ids[2]+"=1s")
	for _, want := range []struct{ key, body string }{
		{"POST /" + ids[0] + "/start", ""},
		{"POST /" + ids[0], "hello from job\n"},
		{"POST /" + ids[1] + "/3", "bad\n"},
		{"POST /" + ids[2] + "/start", ""},
		{"POST /" + ids[2] + "/fail", ""},
	} {
		waitFor(t, want.key, func() bool { _, ok := srv.body(want.key); return ok })
		if got, _ := srv.body(want.key); got != want.body {
			t.Errorf("%s: body %q, want %q", want.key, got, want.body)
		}
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

// A ping server that never answers delays no run: the job runs again and
// again while its pings hang, and tend still exits.
func TestCronPingServerHangs(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sleep 60\n",
		"app.json": `{"cron": [{"command": "echo tick", "schedule": "@every 1s"}]}`,
	})
	id := cronID(t, dir)
	p := startTend(t, dir, []string{"TEND_LOCK_DIR=" + t.TempDir(), "TEND_CRON_PING=" + srv.URL + "/x"}, "start")
	waitFor(t, "three runs", func() bool { return strings.Count(p.stdout.String(), "cron."+id+": exited with status 0") >= 3 })
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}

// A ping URL that is not http(s), or for an unknown job, is refused
// before anything starts, by start and check.
func TestCronPingBadInput(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: touch started; sleep 60\n", "app.json": `{"cron": [{"command": "bin/a", "schedule": "@daily"}]}`})
	for _, tc := range []struct{ arg, want string }{
		{"ftp://example.com/x", `invalid --cron-ping ftp://example.com/…: want an http:// or https:// URL, not "ftp:"`},
		{"web=https://hc-ping.com/x", `--cron-ping web=: no cron job "web"`},
	} {
		for _, cmd := range []string{"check", "start"} {
			_, stderr, code := runTend(t, dir, nil, cmd, "--cron-ping", tc.arg)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s --cron-ping %s: exit %d, %q", cmd, tc.arg, code, stderr)
			}
		}
	}
}
