package health

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
)

// server serves handler on 127.0.0.1 and returns its port.
func server(t *testing.T, handler http.HandlerFunc) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func httpCheck(path string) Check {
	return Check{Type: Startup, Kind: HTTP, Path: path, Attempts: 1, Timeout: 2 * time.Second}
}

func TestProbeHTTP(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen http.Header
	var host string
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	port := server(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen, host = r.Header.Clone(), r.Host
		mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(w, "all good")
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/broken":
			http.Error(w, "down", http.StatusServiceUnavailable)
		case "/hang":
			<-hang
		default:
			http.NotFound(w, r)
		}
	})
	target := Target{Port: port}
	for _, tc := range []struct {
		name  string
		check Check
		want  string // "" = healthy, else a part of the error
	}{
		{"2xx", httpCheck("/ok"), ""},
		{"content found", Check{Kind: HTTP, Path: "/ok", Content: "good", Timeout: 2 * time.Second}, ""},
		{"content missing", Check{Kind: HTTP, Path: "/ok", Content: "great", Timeout: 2 * time.Second}, `answer does not contain "great"`},
		{"redirect followed", httpCheck("/moved"), ""},
		{"5xx", httpCheck("/broken"), "answered 503 Service Unavailable"},
		{"4xx", httpCheck("/missing"), "answered 404 Not Found"},
		{"hangs", Check{Kind: HTTP, Path: "/hang", Timeout: 200 * time.Millisecond}, "no answer within 200ms"},
	} {
		err := Probe(context.Background(), tc.check, target)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Probe = %v, want %q", tc.name, err, tc.want)
		}
	}

	c := httpCheck("/ok")
	c.Headers = []Header{{"X-Forwarded-Proto", "https"}, {"Host", "shop.example.com"}}
	if err := Probe(context.Background(), c, target); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen.Get("X-Forwarded-Proto") != "https" || host != "shop.example.com" || seen.Get("Accept") != "*/*" {
		t.Errorf("headers %v, host %q", seen, host)
	}
}

func TestProbeHTTPNothingListening(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	err := Probe(context.Background(), httpCheck("/"), Target{Port: port})
	if err == nil || err.Error() != fmt.Sprintf("nothing listens on port %d", port) {
		t.Errorf("Probe = %v", err)
	}
}

func TestProbeListening(t *testing.T) {
	t.Parallel()
	check := Check{Kind: Listening, Timeout: time.Second}
	all, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	if err := Probe(context.Background(), check, Target{Port: all.Addr().(*net.TCPAddr).Port}); err != nil {
		t.Errorf("listening on every interface: %v", err)
	}

	local, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := local.Addr().(*net.TCPAddr).Port
	err = Probe(context.Background(), check, Target{Port: port})
	if want := fmt.Sprintf("listens on 127.0.0.1:%d, not on every interface", port); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("listening on 127.0.0.1 only: %v, want %q", err, want)
	}
	// The check's own port beats the instance's. (Both stay open: a closed
	// port can be taken at once by a parallel test, which made this flaky.)
	check.Port = all.Addr().(*net.TCPAddr).Port
	if err := Probe(context.Background(), check, Target{Port: port}); err != nil {
		t.Errorf("the check's port listens on every interface, the instance's does not: %v", err)
	}
	local.Close()

	// A port bound but not listening: held by this test, so no parallel
	// test can take it, and nothing listens on it.
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	bound := sa.(*syscall.SockaddrInet4).Port
	check.Port = bound
	if err := Probe(context.Background(), check, Target{Port: 1}); err == nil || err.Error() != "nothing listens on port "+strconv.Itoa(bound) {
		t.Errorf("bound, not listening: %v", err)
	}
}

func TestProbeCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := Target{Reaper: testkit.Reaper(t), Dir: dir, Env: []string{"PATH=" + os.Getenv("PATH"), "GREETING=hi"}}
	cmd := func(script string, timeout time.Duration) Check {
		return Check{Kind: Command, Command: []string{"sh", "-c", script}, Timeout: timeout}
	}
	if err := Probe(context.Background(), cmd(`test "$GREETING" = hi && test -f here`, 5*time.Second), target); err == nil {
		t.Error("a check of a file that is not there passed")
	}
	os.WriteFile(filepath.Join(dir, "here"), nil, 0o644)
	if err := Probe(context.Background(), cmd(`test "$GREETING" = hi && test -f here`, 5*time.Second), target); err != nil {
		t.Errorf("the instance's env and dir: %v", err)
	}
	err := Probe(context.Background(), cmd("echo starting; echo 'database is down' >&2; exit 3", 5*time.Second), target)
	if err == nil || err.Error() != "exited with status 3: database is down" {
		t.Errorf("failing command: %v", err)
	}

	// A command that never exits is killed at the timeout, with what it
	// started.
	pidFile := filepath.Join(dir, "pid")
	err = Probe(context.Background(), cmd("sleep 60 & echo $! > pid; wait", 300*time.Millisecond), target)
	if err == nil || err.Error() != "no answer within 300ms" {
		t.Errorf("hanging command: %v", err)
	}
	data, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid == 0 {
		t.Fatal("no pid written")
	}
	testkit.WaitFor(t, "the check's background process to be gone", 5*time.Second, func() bool {
		state, ok := testkit.ProcState(pid)
		return !ok || state == 'Z'
	})

	err = Probe(context.Background(), Check{Kind: Command, Command: []string{"no-such-check"}, Timeout: time.Second}, target)
	if err == nil || !strings.Contains(err.Error(), "no-such-check") {
		t.Errorf("missing program: %v", err)
	}
}

func TestProbeUptime(t *testing.T) {
	t.Parallel()
	exited := make(chan struct{})
	check := Check{Kind: Uptime, Uptime: 200 * time.Millisecond}
	if err := Probe(context.Background(), check, Target{Started: time.Now(), Exited: exited}); err != nil {
		t.Errorf("still running: %v", err)
	}
	close(exited)
	if err := Probe(context.Background(), check, Target{Started: time.Now(), Exited: exited}); err == nil || !strings.Contains(err.Error(), "exited after") {
		t.Errorf("exited: %v", err)
	}
}

func TestCheckString(t *testing.T) {
	for _, tc := range []struct {
		check Check
		want  string
	}{
		{Check{Type: Startup, Kind: HTTP, Path: "/health", Attempts: 3, Wait: 5 * time.Second, Timeout: 5 * time.Second},
			"startup GET /health on $PORT (3 attempts, 5 s apart, 5 s timeout)"},
		{Check{Type: Liveness, Kind: Listening, Port: 8080, Attempts: 2, Wait: 10 * time.Second, Timeout: 5 * time.Second, InitialDelay: 30 * time.Second, Warn: true},
			"liveness listening on 8080 (2 attempts, 10 s apart, 5 s timeout, after 30 s, warn only)"},
		{Check{Type: Readiness, Name: "queue", Kind: Command, Command: []string{"bin/ready", "--quick"}, Attempts: 3, Wait: 5 * time.Second, Timeout: 5 * time.Second},
			`readiness "queue": command bin/ready --quick (3 attempts, 5 s apart, 5 s timeout)`},
		{Check{Type: Startup, Kind: Uptime, Uptime: 10 * time.Second}, "startup up 10 s without a restart"},
	} {
		if got := tc.check.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}
