package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
)

// A real supervisord runs the exported config from a temp dir with a
// private socket: every instance runs with its PORT, supervisorctl stops
// them with the type's stop signal, and nothing is left behind.
func TestExportSupervisord(t *testing.T) {
	for _, bin := range []string{"supervisord", "supervisorctl"} {
		testkit.NeedProgram(t, bin, "Debian: apt-get install supervisor")
	}
	t.Parallel()
	// Each process records its PORT, DYNO and pid once its trap is set, and
	// says which signal stopped it: web traps TERM, worker QUIT (its --stop-signal).
	dir := writeApp(t, map[string]string{
		"Procfile": "web: sh bin/serve TERM\nworker: sh bin/serve QUIT\nrelease: echo never\n",
		"bin/serve": `sig=$1
trap 'echo "$sig" > "run/$PORT.stopped"; exit 0' "$sig"
echo "$PORT $DYNO $$" > "run/$PORT"
while :; do sleep 0.1; done
`,
		"run/.keep": "",
		"app.json":  `{"cron": [{"command": "bin/report", "schedule": "@daily"}]}`,
	})
	_, stderr, code := runTend(t, dir, nil, "export", "supervisord", "-o", "out", "--app", "shop",
		"-m", "web=3,worker=1,release=0", "--stop-signal", "worker=QUIT", "-t", "5")
	if code != 0 || !strings.Contains(stderr, "1 cron entries left out: supervisord runs no schedules") {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	conf := filepath.Join(dir, "supervisord.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`[unix_http_server]
file=%[1]s/s.sock
[supervisord]
logfile=%[1]s/supervisord.log
pidfile=%[1]s/supervisord.pid
childlogdir=%[1]s
nodaemon=true
user=root
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://%[1]s/s.sock
[include]
files=%[1]s/out/shop.conf
`, dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	sup := startProgram(t, dir, nil, "supervisord", "-c", conf)
	ctl := func(args ...string) string {
		out, _ := exec.Command("supervisorctl", append([]string{"-c", conf}, args...)...).CombinedOutput()
		return string(out)
	}
	t.Cleanup(func() { ctl("shutdown") })
	ports := map[int]string{5000: "web.5000", 5001: "web.5001", 5002: "web.5002", 5100: "worker.5100"}
	var pids []int
	waitFor(t, "every instance to write its PORT", func() bool {
		pids = pids[:0]
		for port, dyno := range ports {
			data, err := os.ReadFile(filepath.Join(dir, "run", strconv.Itoa(port)))
			f := strings.Fields(string(data))
			if err != nil || len(f) != 3 || f[0] != strconv.Itoa(port) || f[1] != dyno {
				return false
			}
			pid, _ := strconv.Atoi(f[2])
			pids = append(pids, pid)
		}
		return true
	})
	var status string
	waitFor(t, "supervisord to see them run", func() bool {
		status = ctl("status")
		return strings.Count(status, "RUNNING") == 4
	})
	for _, name := range []string{"shop:shop-web.5000", "shop:shop-web.5001", "shop:shop-web.5002", "shop:shop-worker.5100"} {
		if !strings.Contains(status, name) {
			t.Errorf("status lacks %s:\n%s", name, status)
		}
	}
	if strings.Contains(status, "release") {
		t.Errorf("status:\n%s", status)
	}
	if out := ctl("stop", "shop:*"); strings.Count(out, "stopped") != 4 {
		t.Errorf("stop:\n%s", out)
	}
	// supervisorctl returns when supervisord has seen tend exit; the file is
	// read until it is there, which also covers a write not yet visible.
	for port, want := range map[int]string{5000: "TERM", 5002: "TERM", 5100: "QUIT"} {
		var got []byte
		eventually(5*time.Second, func() bool {
			got, _ = os.ReadFile(filepath.Join(dir, "run", fmt.Sprintf("%d.stopped", port)))
			return strings.TrimSpace(string(got)) != ""
		})
		if strings.TrimSpace(string(got)) != want {
			log, _ := os.ReadFile(filepath.Join(dir, "supervisord.log"))
			t.Errorf("port %d stopped by %q, want %s; supervisord.log:\n%s", port, got, want, log)
		}
	}
	waitFor(t, "nothing left", func() bool {
		for _, pid := range pids {
			if alive(pid) {
				return false
			}
		}
		return true
	})
	// tend itself is gone too: supervisord's children are all exited.
	if out := ctl("status"); strings.Contains(out, "RUNNING") {
		t.Errorf("after stop:\n%s", out)
	}
	ctl("shutdown")
	select {
	case <-sup.done:
	case <-time.After(20 * time.Second):
		t.Error("supervisord did not shut down")
	}
}
