package main

import (
	"strings"
	"syscall"
	"testing"
)

// TestPortsNeverShared: web=101 used to give web.101 and worker.1 both
// 5100; the blocks after a type with more than 100 instances move up.
func TestPortsNeverShared(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "" +
		"web: echo port=$PORT; exec sleep 30\n" +
		"worker: echo port=$PORT; exec sleep 30\n"})
	p := startTend(t, dir, nil, "start", "-m", "web=101,worker=1")
	p.waitOutput("worker.1 | port=5200")
	p.waitOutput("web.101  | port=5100")
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d after SIGTERM\n%s", code, p.stderr)
	}
	seen := map[string]string{}
	for _, l := range lines(p.stdout.String()) {
		name, port, ok := strings.Cut(l, "| port=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if other, dup := seen[port]; dup {
			t.Errorf("%s and %s share PORT %s", other, name, port)
		}
		seen[port] = name
	}
	if len(seen) != 102 {
		t.Errorf("%d distinct ports, want 102:\n%s", len(seen), p.stdout)
	}

	// tend check prints the layout.
	dir = writeApp(t, map[string]string{
		"Procfile": "web: bin/web\nworker: bin/worker\nclock: bin/clock\n",
		"app.json": `{"formation": {"web": {"quantity": 101}, "worker": {"quantity": 2}, "clock": {"quantity": 0}}}`,
	})
	stdout, stderr, code := runTend(t, dir, nil, "check")
	if code != 0 || !strings.Contains(stdout, "ports: web 5000-5100, worker 5200-5201\n") {
		t.Errorf("check: exit %d, no port layout:\n%s%s", code, stdout, stderr)
	}
	// A port beyond 65535 is an error before anything starts.
	_, stderr, code = runTend(t, dir, []string{"PORT=65500"}, "check")
	if code != 1 || !strings.Contains(stderr, "web.37 would get port 65536, above 65535") {
		t.Errorf("check with PORT=65500: exit %d\n%s", code, stderr)
	}
}

// TestCheckBadPortNamesNoValue: tend check now plans the ports, so it
// judges PORT too, naming the variable and never printing its value.
func TestCheckBadPortNamesNoValue(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"Procfile": "web: bin/web\n"})
	_, stderr, code := runTend(t, dir, []string{"PORT=hunter2"}, "check")
	if code != 2 || !strings.Contains(stderr, "PORT is not a port number") || strings.Contains(stderr, "hunter2") {
		t.Errorf("exit %d, want 2 and an error naming PORT without its value:\n%s", code, stderr)
	}
}
