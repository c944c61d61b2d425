package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/metrics"
	"github.com/tend-run/tend/status"
)

// browser is headless Chromium driven through the DevTools protocol on a
// pipe (--remote-debugging-pipe: commands on fd 3, answers on fd 4, each
// a JSON message ending in a NUL byte), so no WebSocket client is needed.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	id      int
	session string
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return testkit.NeedProgram(t, "chromium", "Debian: apt-get install chromium; .ci/run installs it")
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir()
	cmd := exec.Command(chromiumPath(t), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir="+profile, "--remote-debugging-pipe", "--window-size=1100,800", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, resW} // fd 3 and fd 4
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmdR.Close()
	resW.Close()
	b := &browser{t: t, cmd: cmd, in: cmdW, out: bufio.NewReader(resR)}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	// Registered before the profile's TempDir cleanup runs (cleanups run
	// last first): the browser and its helpers are gone before it is removed.
	t.Cleanup(func() {
		cmdW.Close() // a closed pipe makes Chromium exit
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		resR.Close()
	})
	return b
}

// call sends one command (in the attached page's session once there is
// one) and returns its result, skipping the events that come between.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.id++
	msg := map[string]any{"id": b.id, "method": method, "params": params}
	if b.session != "" && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = b.session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.in.Write(append(data, 0)); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	for {
		raw, err := b.out.ReadBytes(0)
		if err != nil {
			b.t.Fatalf("%s: browser gone: %v", method, err)
		}
		var res struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw[:len(raw)-1], &res); err != nil {
			b.t.Fatalf("%s: %v", method, err)
		}
		if res.ID != b.id {
			continue // an event
		}
		if res.Error != nil {
			b.t.Fatalf("%s: %s", method, res.Error.Message)
		}
		return res.Result
	}
}

// open loads url in a new page and attaches to it.
func (b *browser) open(url string) {
	b.t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	json.Unmarshal(b.call("Target.createTarget", map[string]any{"url": url}), &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	json.Unmarshal(b.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}), &attached)
	b.session = attached.SessionID
}

// eval returns the value of a JavaScript expression in the page.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	var res struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
	}
	json.Unmarshal(b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}), &res)
	return fmt.Sprint(res.Result.Value)
}

// waitEval waits until expr gives want.
func (b *browser) waitEval(what, expr, want string) {
	b.t.Helper()
	var got string
	if !eventually(20*time.Second, func() bool { got = b.eval(expr); return got == want }) {
		b.t.Fatalf("%s: %s is %q, want %q", what, expr, got, want)
	}
}

func (b *browser) screenshot(path string) {
	b.t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	json.Unmarshal(b.call("Page.captureScreenshot", map[string]any{"format": "png"}), &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || len(png) == 0 {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// stopTend sends tend SIGTERM and waits for it, and fails unless it exited
// 0 and took the given pids (its children, each the leader of a group of
// its own) and everything in their groups with it. A pid that has gone
// already (a restarted instance) is checked as gone.
func stopTend(t *testing.T, p *tendProc, pids ...int) {
	t.Helper()
	groups := map[int]bool{}
	for _, pid := range pids {
		if pid == 0 {
			t.Fatalf("stopTend: no pid in %v", pids)
		}
		groups[pid] = true
		if pg, err := syscall.Getpgid(pid); err == nil {
			groups[pg] = true
		}
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("tend exited %d on SIGTERM; stderr:\n%s", code, p.stderr)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d is left after tend stopped", pid)
		}
	}
	if left := inGroups(groups); len(left) > 0 {
		t.Errorf("left after tend stopped, in the groups of %v: %v", pids, left)
	}
}

// inGroups lists the live (not zombie) processes whose process group is
// one of groups.
func inGroups(groups map[int]bool) []string {
	var left []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // state ppid pgrp …
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		if pg, _ := strconv.Atoi(f[2]); groups[pg] {
			left = append(left, fmt.Sprintf("%d (%s)", pid, s[strings.IndexByte(s, '(')+1:strings.LastIndexByte(s, ')')]))
		}
	}
	return left
}

// getBody fetches url and returns its body.
func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// The status page in a real browser: two processes running with their
// memory and the cron job's next run; a run through `tend cron run` shows
// in the last run and the bar; clicking a name shows its output from the
// log buffer; the value of a variable in .env is nowhere in the page or
// its state; after `tend restart web` the page shows web's new pid without
// being reloaded; when tend stops it says "disconnected", and it shows the
// next tend on the same address. Both tends are stopped with SIGTERM and
// leave no process behind.
func TestStatusPageInABrowser(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	addr := freeAddr(t)
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web up; sleep 600\nworker: [ \"$SECRET\" = hunter2 ] && echo worker has the secret; echo worker up; sleep 600\n",
		".env":     "SECRET=hunter2\n",
		"app.json": `{"cron": [{"command": "echo nightly report", "schedule": "30 3 * * *"}]}`,
	})
	p := startTend(t, dir, env, "start", "--metrics-addr", addr)
	p.waitOutput("| worker up")
	p.waitOutput("| web up")
	if !strings.Contains(p.stdout.String(), "| worker has the secret") {
		t.Fatalf("worker did not get SECRET from .env:\n%s", p.stdout)
	}
	snap := statusOf(t, dir, env)
	oldPid, workerPid := pidOf(snap, "web.1"), pidOf(snap, "worker.1")
	job := snap.Cron[0].ID
	// The page polls every 100 ms, not 2 s: the test waits for it to show
	// four changes.
	b.open("http://" + addr + "/?poll_ms=100")
	row := func(name, field string) string {
		return fmt.Sprintf(`(document.querySelector('#processes tr[data-name="%s"] td[data-label="%s"]') || {}).textContent`, name, field)
	}
	jobCell := func(field string) string {
		return fmt.Sprintf(`(document.querySelector('#cron tr[data-job="%s"] td[data-label="%s"]') || {}).textContent`, job, field)
	}
	b.waitEval("web's pid", row("web.1", "pid"), fmt.Sprint(oldPid))
	b.waitEval("web's state", row("web.1", "state"), "● running")
	b.waitEval("worker's state", row("worker.1", "state"), "● running")
	for _, name := range []string{"web.1", "worker.1"} {
		b.waitEval(name+"'s memory", fmt.Sprintf(`String(/^[0-9]+\.[0-9] MiB$/.test(%s))`, row(name, "memory")), "true")
	}
	b.waitEval("the job's schedule", `document.querySelector('#cron td[data-label="schedule"]').firstChild.firstChild.textContent`, "daily at 03:30")
	if next := b.eval(`document.querySelector('#cron td.next').textContent`); !strings.HasPrefix(next, "in ") {
		t.Errorf("next run shows %q", next)
	}
	b.waitEval("no run yet", jobCell("last run"), "never")

	// A run now: the last run and the bar show it.
	if stdout, stderr, code := runTend(t, dir, env, "cron", "run", job); code != 0 || !strings.Contains(stdout, "nightly report") {
		t.Fatalf("cron run: exit %d\n%s%s", code, stdout, stderr)
	}
	b.waitEval("the last run", fmt.Sprintf(`String(%s.startsWith("✓ ok"))`, jobCell("last run")), "true")
	bar := fmt.Sprintf(`Array.from(document.querySelectorAll('#cron tr[data-job="%s"] .bar i')).map(i => (i.className || "ok") + " " + i.title.split(",")[0]).join(";")`, job)
	b.waitEval("the runs bar", bar, "ok ok")

	// Clicking a name shows its output, from the log buffer.
	output := `document.getElementById('output').textContent`
	b.eval(`document.querySelector('#processes tr[data-name="worker.1"] button.name').click()`)
	b.waitEval("the output's name", `document.getElementById('output-name').textContent`, "worker.1")
	b.waitEval("worker's output", fmt.Sprintf(`String(%s.includes("| worker up") && !%s.includes("web up"))`, output, output), "true")
	b.eval(fmt.Sprintf(`document.querySelector('#cron tr[data-job="%s"] button.name').click()`, job))
	b.waitEval("the run's output", fmt.Sprintf(`String(%s.includes("| nightly report"))`, output), "true")

	// No environment value anywhere: the DOM, the state, the output.
	if got := b.eval(`String(document.documentElement.outerHTML.includes("hunter2"))`); got != "false" {
		t.Errorf("the page shows the value of SECRET:\n%s", b.eval("document.documentElement.outerHTML"))
	}
	for _, path := range []string{"/ui/state", "/status", "/ui/output?name=worker.1", "/ui/output?name=cron." + job} {
		if body := getBody(t, "http://"+addr+path); strings.Contains(body, "hunter2") {
			t.Errorf("%s shows the value of SECRET:\n%s", path, body)
		}
	}
	shot := filepath.Join(t.TempDir(), "status.png")
	b.screenshot(shot)
	if out := os.Getenv("STATUS_PAGE_SCREENSHOT"); out != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(out, data, 0o644)
	}
	t.Logf("screenshot: %s", shot)

	b.eval("window.notReloaded = true")
	if _, _, code := runTend(t, dir, env, "restart", "web"); code != 0 {
		t.Fatalf("restart: exit %d", code)
	}
	newPid := pidOf(statusOf(t, dir, env), "web.1")
	if newPid == oldPid || newPid == 0 {
		t.Fatalf("web's pid %d after restart (was %d)", newPid, oldPid)
	}
	b.waitEval("web's new pid", row("web.1", "pid"), fmt.Sprint(newPid))
	b.waitEval("no reload", "String(window.notReloaded)", "true")
	// tend goes away: the page says so, and picks up the next tend.
	stopTend(t, p, oldPid, newPid, workerPid)
	b.waitEval("disconnected", "String(document.getElementById('conn').hidden)", "false")
	p2 := startTend(t, dir, env, "start", "--metrics-addr", addr)
	p2.waitOutput("| web up")
	p2.waitOutput("| worker up")
	b.waitEval("reconnected", "String(document.getElementById('conn').hidden)", "true")
	b.waitEval("the new tend", fmt.Sprintf("String(document.getElementById('tend').textContent.includes('pid %d '))", p2.cmd.Process.Pid), "true")
	snap = statusOf(t, dir, env)
	stopTend(t, p2, pidOf(snap, "web.1"), pidOf(snap, "worker.1"))
}

// Every state an instance can be in, as the page draws it in a real
// browser, from a snapshot holding them all (served by the page's own
// handlers on 127.0.0.1): an icon and a word, and a colour that is not the
// text's; readiness and the health checks per instance; a suspended cron
// job shows as "⏸ suspended"; the dark palette and the phone layout.
func TestStatusPageStatesInABrowser(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	yes, no := true, false
	zero, one := 0, 1
	now := time.Now()
	procs := []struct {
		p      status.Process
		want   string // the state cell
		checks string // the health cell
	}{
		{status.Process{State: status.Running, Pid: os.Getpid(), Expected: true}, "● running", ""},
		{status.Process{State: status.Running, Pid: os.Getpid(), Expected: true, Ready: &yes,
			Checks: []status.CheckState{{Type: "readiness", Up: true, Probed: true}}}, "● ready", "✓ readiness"},
		{status.Process{State: status.Running, Pid: os.Getpid(), Expected: true, Ready: &no,
			Checks: []status.CheckState{{Type: "readiness", Name: "queue", Probed: true, Failures: 3, Error: "exit status 1"},
				{Type: "liveness", Up: true, Probed: true, Failures: 1}}},
			"◑ running, not ready", "✖ readiness queue: exit status 1 (3 failures)✓ liveness (1 failure)"},
		{status.Process{State: status.Starting, Pid: os.Getpid(), Expected: true,
			Checks: []status.CheckState{{Type: "startup"}}}, "◔ starting", "… startup: not probed yet"},
		{status.Process{State: status.Restarting, Exits: 1, LastExit: &one}, "↻ restarting", ""},
		{status.Process{State: status.Stopping, Expected: true}, "◐ stopping", ""},
		{status.Process{State: status.Stopped}, "■ stopped", ""},
		{status.Process{State: status.Exited, Expected: true, Exits: 1, LastExit: &one}, "✖ failed", ""},
		{status.Process{State: status.Exited, Exits: 1, LastExit: &zero}, "○ exited", ""},
		{status.Process{State: status.Exited, Exits: 1, LastExit: &one}, "✖ exited", ""},
		{status.Process{State: status.Waiting, Exits: 1, LastExit: &zero}, "◌ exited, waiting for a change", ""},
		{status.Process{State: status.Held, Expected: true}, "◷ waiting for --after", ""},
		{status.Process{State: "lost", Expected: true}, "? lost", ""},
	}
	snap := status.Snapshot{Pid: os.Getpid(), Started: now.Add(-time.Minute),
		Cron: []status.Job{{ID: "ab12cd34", Schedule: "0 9 * * 1-5", Command: "bin/report", Suspended: true}}}
	for i, c := range procs {
		c.p.Name, c.p.Type, c.p.Since = fmt.Sprintf("p%02d.1", i), fmt.Sprintf("p%02d", i), now.Add(-time.Second)
		snap.Processes = append(snap.Processes, c.p)
	}
	src := func() (status.Snapshot, error) { return snap, nil }
	page := metrics.WithPage(metrics.Handler(src), src, metrics.PageSources{Version: "test", Output: func(string) string { return "" }})
	srv := httptest.NewServer(page) // on 127.0.0.1
	defer srv.Close()
	b.open(srv.URL + "/")
	cellOf := func(name, field string) string {
		return fmt.Sprintf(`document.querySelector('#processes tr[data-name="%s"] td[data-label="%s"]')`, name, field)
	}
	for i, c := range procs {
		name := fmt.Sprintf("p%02d.1", i)
		b.waitEval(name+"'s state", "("+cellOf(name, "state")+" || {}).textContent", c.want)
		if got := b.eval(cellOf(name, "health") + ".textContent"); got != c.checks {
			t.Errorf("%s (%s): health checks %q, want %q", name, c.want, got, c.checks)
		}
		colour := fmt.Sprintf(`String(getComputedStyle(%s).color !== getComputedStyle(document.body).color && /^state state-[a-z-]+$/.test(%s.className))`,
			cellOf(name, "state"), cellOf(name, "state"))
		if got := b.eval(colour); got != "true" {
			t.Errorf("%s (%s): class %q has no colour of its own", name, c.want, b.eval(cellOf(name, "state")+".className"))
		}
	}
	b.waitEval("the suspended job", `document.querySelector('#cron tr[data-job="ab12cd34"] td[data-label="schedule"]').textContent`,
		"at 09:00 on Mon–Fri0 9 * * 1-5⏸ suspended")
	if out := os.Getenv("STATUS_PAGE_STATES_SCREENSHOT"); out != "" {
		b.screenshot(out)
	}
	// Dark by the browser's preference, the states still in their colours;
	// on a phone's width the rows stack as labelled blocks.
	b.call("Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-color-scheme", "value": "dark"}}})
	b.waitEval("the dark background", "getComputedStyle(document.body).backgroundColor", "rgb(22, 24, 27)")
	if got := b.eval(fmt.Sprintf(`getComputedStyle(%s).color + " on " + getComputedStyle(document.body).color`, cellOf("p07.1", "state"))); got != "rgb(248, 81, 73) on rgb(230, 230, 230)" {
		t.Errorf("failed in the dark: %s", got)
	}
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": true})
	b.waitEval("no table header on a phone", "getComputedStyle(document.querySelector('#processes thead')).display", "none")
	if got := b.eval(fmt.Sprintf(`getComputedStyle(%s).display + " " + getComputedStyle(%s, "::before").content`, cellOf("p07.1", "state"), cellOf("p07.1", "state"))); got != `block "state: "` {
		t.Errorf("a cell on a phone: %s", got)
	}
	if out := os.Getenv("STATUS_PAGE_PHONE_SCREENSHOT"); out != "" {
		b.screenshot(out)
	}
}

// The page's output of a name comes from the log buffer of `tend logs`:
// its last 200 lines as tend printed them (prefixed), well past the 4 KiB
// tend keeps otherwise; with --log-buffer 0 it is those 4 KiB, raw.
func TestPageOutputFromTheLogBuffer(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"Procfile": "web: for i in $(seq 1 300); do echo \"line $i of web's output, long enough to pass 4 KiB\"; done; echo web done; sleep 600\n",
	})
	for _, buffer := range []string{"1MiB", "0"} {
		env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
		addr := freeAddr(t)
		p := startTend(t, dir, env, "start", "--metrics-addr", addr, "--log-buffer", buffer)
		p.waitOutput("| web done")
		out := getBody(t, "http://"+addr+"/ui/output?name=web.1")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		switch buffer {
		case "0":
			if len(out) > 4<<10 || strings.Contains(out, "| ") || lines[len(lines)-1] != "web done" {
				t.Errorf("--log-buffer 0: %d bytes, %d lines, last %q", len(out), len(lines), lines[len(lines)-1])
			}
		default:
			if len(lines) != 200 || lines[0] != "web.1 | line 102 of web's output, long enough to pass 4 KiB" || lines[199] != "web.1 | web done" {
				t.Errorf("--log-buffer %s: %d lines, first %q, last %q", buffer, len(lines), lines[0], lines[len(lines)-1])
			}
		}
		snap := statusOf(t, dir, env)
		stopTend(t, p, pidOf(snap, "web.1"))
	}
}

// A run skipped because the lock database is unreachable shows on the
// page: in the job's row with its reason, and in the cron verdict.
func TestStatusPageShowsALockDatabaseSkip(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	addr := freeAddr(t)
	dir := writeApp(t, map[string]string{"app.json": `{"cron": [{"command": "echo tick", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`})
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s"), "TEND_LOCK_URL=postgres://tend:hunter2@127.0.0.1:1/app?sslmode=disable"}
	p := startTend(t, dir, env, "start", "--metrics-addr", addr)
	p.waitFor("unavailable: ", p.stderr)
	b.open("http://" + addr + "/")
	b.waitEval("the skip in the job's row", `String((document.querySelector('#cron td[data-label="last run"]') || {textContent: ""}).textContent.includes(": lock database unavailable"))`, "true")
	b.waitEval("the cron verdict", `String(document.getElementById('cron-health').textContent.includes("lock database unavailable"))`, "true")
	if out := os.Getenv("SKIP_PAGE_SCREENSHOT"); out != "" {
		b.screenshot(out)
	}
	if html := b.eval(`document.body.innerHTML`); strings.Contains(html, "hunter2") {
		t.Error("the page shows the lock URL's password")
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}
