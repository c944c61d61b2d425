package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as a web process for the health-check tests
// (HEALTHTEST_HELPER=web): it serves on $PORT, on every interface;
// /health answers 503 until the file $HEALTHY exists, then 200; /hang
// never answers. It prints "serving PID".
func init() {
	if os.Getenv("HEALTHTEST_HELPER") != "web" {
		return
	}
	healthy := os.Getenv("HEALTHY")
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(healthy); err != nil {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { select {} })
	l, err := net.Listen("tcp", ":"+os.Getenv("PORT"))
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	fmt.Printf("serving %d\n", os.Getpid())
	_ = http.Serve(l, nil)
	os.Exit(1)
}

// healthApp is an app whose web process is the helper above, with the
// given checks for web, and a marker file that makes it healthy.
func healthApp(t *testing.T, checks string, procfile string) (dir, healthy string, port int) {
	t.Helper()
	_, p, _ := net.SplitHostPort(freePort(t))
	port, _ = strconv.Atoi(p)
	dir = writeApp(t, map[string]string{
		"Procfile": "web: env HEALTHTEST_HELPER=web HEALTHY=healthy " + recorderPath(t) + "\n" + procfile,
		"app.json": `{"healthchecks": {"web": [` + checks + `]}}`,
	})
	return dir, filepath.Join(dir, "healthy"), port
}

// freePort is a port nobody listens on now, with the next 200 free too
// in all likelihood (other types take port+100).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// webPid is the pid the web helper printed last.
func webPid(out string) int {
	i := strings.LastIndex(out, "serving ")
	if i < 0 {
		return 0
	}
	f := strings.Fields(out[i+len("serving "):])
	pid, _ := strconv.Atoi(f[0])
	return pid
}

// Until its startup check passes the instance is starting: tend status
// says so and status --check fails; then it passes.
func TestHealthStartupGatesTheCheck(t *testing.T) {
	t.Parallel()
	dir, healthy, port := healthApp(t, `{"type": "startup", "path": "/health", "attempts": 60, "wait": 1}`, "")
	p := startTend(t, dir, nil, "start", "-p", strconv.Itoa(port))
	p.waitOutput("serving ")
	waitFor(t, "status to show web.1 starting", func() bool {
		out, _, _ := runTend(t, dir, nil, "status")
		return strings.Contains(out, "starting")
	})
	if out, _, code := runTend(t, dir, nil, "status", "--check"); code == 0 {
		t.Fatalf("status --check passed while starting:\n%s", out)
	}
	os.WriteFile(healthy, nil, 0o644)
	p.waitOutput("web.1 passed its startup checks")
	if out, errOut, code := runTend(t, dir, nil, "status", "--check"); code != 0 {
		t.Fatalf("status --check exit %d after the check passed:\n%s%s", code, out, errOut)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// A startup check that fails all its attempts is a crash: without
// --restart the formation stops with a failure. A check that hangs is
// bounded by its timeout.
func TestHealthStartupFailureIsACrash(t *testing.T) {
	t.Parallel()
	dir, _, port := healthApp(t, `{"type": "startup", "name": "hangs", "path": "/hang", "attempts": 2, "wait": 1, "timeout": 1}`, "")
	p := startTend(t, dir, nil, "start", "-p", strconv.Itoa(port))
	if code := p.wait(); code == 0 {
		t.Fatalf("exit 0 after a failed startup check")
	}
	if !strings.Contains(p.stderr.String(), `web.1 failed its startup check "hangs" after 2 attempts: no answer within 1 s: stopping it`) {
		t.Errorf("stderr:\n%s", p.stderr)
	}
}

// Liveness: after Attempts failures in a row the instance is restarted
// gracefully (a new pid), and the other processes are left alone.
func TestHealthLivenessRestartsOnlyThatInstance(t *testing.T) {
	t.Parallel()
	dir, healthy, port := healthApp(t, `{"type": "liveness", "path": "/health", "attempts": 2, "wait": 1}`, "worker: echo worker $$; exec sleep 600\n")
	os.WriteFile(healthy, nil, 0o644)
	hooks := filepath.Join(t.TempDir(), "hooks")
	p := startTend(t, dir, nil, "start", "-p", strconv.Itoa(port), "--on-failure", `echo "$TEND_EVENT $TEND_REASON $TEND_PROCESS" >> `+hooks)
	p.waitOutput("serving ")
	p.waitOutput("worker ")
	first := webPid(p.stdout.String())
	worker := p.stdout.String()
	worker = worker[strings.Index(worker, "worker.1 started with pid "):]
	os.Remove(healthy)
	p.waitFor(`web.1 failed its liveness check "GET /health on $PORT" 2 times in a row: answered 503 Service Unavailable: restarting it`, p.stderr)
	os.WriteFile(healthy, nil, 0o644)
	waitFor(t, "a new web.1", func() bool { return webPid(p.stdout.String()) != first })
	if alive(first) {
		t.Errorf("the old web.1 (%d) is still running", first)
	}
	if n := strings.Count(p.stdout.String(), "worker.1 started with pid "); n != 1 || !strings.Contains(p.stdout.String(), worker[:40]) {
		t.Errorf("worker.1 was started %d times:\n%s", n, p.stdout)
	}
	metrics, _, _ := runTend(t, dir, nil, "status", "--json")
	if !strings.Contains(metrics, `"healthchecks"`) {
		t.Errorf("status --json has no health checks:\n%s", metrics)
	}
	// A liveness restart is a recycle (reason liveness) and a failure for
	// the hook (issue 13).
	if !regexp.MustCompile(`"recycles": \{\s*"liveness": 1\s*\}`).MatchString(metrics) {
		t.Errorf("status --json has no liveness recycle:\n%s", metrics)
	}
	waitFor(t, "the hook", func() bool { data, _ := os.ReadFile(hooks); return string(data) == "failed liveness web.1\n" })
	p.signal(syscall.SIGTERM)
	p.wait()
}

// --after worker=web starts the worker once web is ready, and
// /healthz/ready follows readiness.
func TestHealthReadinessOrdersTheStart(t *testing.T) {
	t.Parallel()
	dir, healthy, port := healthApp(t, `{"type": "readiness", "path": "/health", "attempts": 1, "wait": 1}`, "worker: echo worker up; exec sleep 600\n")
	addr := freePort(t)
	p := startTend(t, dir, nil, "start", "-p", strconv.Itoa(port), "--after", "worker=web", "--metrics-addr", addr)
	p.waitOutput("serving ")
	get := func() int {
		resp, err := http.Get("http://" + addr + "/healthz/ready")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor(t, "the metrics listener", func() bool { return get() != 0 })
	if code := get(); code != 503 {
		t.Errorf("/healthz/ready before web is ready: %d", code)
	}
	out, _, _ := runTend(t, dir, nil, "status")
	if !strings.Contains(out, "waiting for --after") || strings.Contains(p.stdout.String(), "worker up") {
		t.Fatalf("the worker did not wait:\n%s\n%s", out, p.stdout)
	}
	os.WriteFile(healthy, nil, 0o644)
	p.waitOutput("worker up")
	log := p.stdout.String()
	if ready, started := strings.Index(log, "web.1 is ready"), strings.Index(log, "worker.1 started"); ready < 0 || started < ready {
		t.Errorf("worker.1 started before web.1 was ready:\n%s", log)
	}
	waitFor(t, "/healthz/ready to pass", func() bool { return get() == 200 })
	p.signal(syscall.SIGTERM)
	p.wait()
}

// A reload that changes only the checks applies them without a restart.
func TestHealthReloadKeepsTheProcess(t *testing.T) {
	t.Parallel()
	dir, healthy, port := healthApp(t, `{"type": "liveness", "path": "/health", "attempts": 3, "wait": 1}`, "")
	os.WriteFile(healthy, nil, 0o644)
	p := startTend(t, dir, nil, "start", "-p", strconv.Itoa(port))
	p.waitOutput("serving ")
	pid := webPid(p.stdout.String())
	os.WriteFile(filepath.Join(dir, "app.json"), []byte(`{"healthchecks": {"web": [{"type": "liveness", "name": "deep", "path": "/health", "attempts": 5, "wait": 1}]}}`), 0o644)
	p.signal(syscall.SIGHUP)
	p.waitOutput("health checks changed")
	waitFor(t, "the new check to be probed", func() bool {
		out, _, _ := runTend(t, dir, nil, "status", "--json")
		return strings.Contains(out, `"name": "deep"`) && strings.Contains(out, `"probed": true`)
	})
	if now := webPid(p.stdout.String()); now != pid || strings.Count(p.stdout.String(), "web.1 started") != 1 {
		t.Errorf("web.1 was restarted (%d, then %d):\n%s", pid, now, p.stdout)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

// Bad --after values are usage errors before anything runs.
func TestHealthAfterErrors(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: sleep 60\nworker: sleep 60\n"})
	for args, want := range map[string]string{
		"worker=web,web=worker": "--after: web → worker → web wait for each other, so none would start",
		"worker=db":             `--after: no process type "db" in Procfile`,
	} {
		for _, cmd := range []string{"start", "check"} {
			_, stderr, code := runTend(t, dir, nil, cmd, "--after", args)
			if code != 2 || !strings.Contains(stderr, want) {
				t.Errorf("%s --after %s: exit %d, stderr %q", cmd, args, code, stderr)
			}
		}
	}
}
