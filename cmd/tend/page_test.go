package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
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

// The status page in a real browser: two processes running and the cron
// job's next run; after `tend restart web` the page shows web's new pid
// without being reloaded; when tend stops it says "disconnected", and it
// shows the next tend on the same address.
func TestStatusPageInABrowser(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	addr := freeAddr(t)
	env := []string{"TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{
		"Procfile": "web: echo web up; sleep 600\nworker: echo worker up; sleep 600\n",
		"app.json": `{"cron": [{"command": "echo nightly", "schedule": "30 3 * * *"}]}`,
	})
	p := startTend(t, dir, env, "start", "--metrics-addr", addr)
	p.waitOutput("| worker up")
	p.waitOutput("| web up")
	oldPid := pidOf(statusOf(t, dir, env), "web.1")
	b.open("http://" + addr + "/")
	row := func(name, field string) string {
		return fmt.Sprintf(`(document.querySelector('#processes tr[data-name="%s"] td[data-label="%s"]') || {}).textContent`, name, field)
	}
	b.waitEval("web's pid", row("web.1", "pid"), fmt.Sprint(oldPid))
	b.waitEval("web's state", row("web.1", "state"), "● running")
	b.waitEval("worker's state", row("worker.1", "state"), "● running")
	b.waitEval("the job's schedule", `document.querySelector('#cron td[data-label="schedule"]').firstChild.firstChild.textContent`, "daily at 03:30")
	if next := b.eval(`document.querySelector('#cron td.next').textContent`); !strings.HasPrefix(next, "in ") {
		t.Errorf("next run shows %q", next)
	}
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
	p.signal(syscall.SIGTERM)
	p.wait()
	b.waitEval("disconnected", "String(document.getElementById('conn').hidden)", "false")
	p2 := startTend(t, dir, env, "start", "--metrics-addr", addr)
	p2.waitOutput("| web up")
	b.waitEval("reconnected", "String(document.getElementById('conn').hidden)", "true")
	b.waitEval("the new tend", fmt.Sprintf("String(document.getElementById('tend').textContent.includes('pid %d '))", p2.cmd.Process.Pid), "true")
	shot := filepath.Join(t.TempDir(), "status.png")
	b.screenshot(shot)
	if out := os.Getenv("STATUS_PAGE_SCREENSHOT"); out != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(out, data, 0o644)
	}
	t.Logf("screenshot: %s", shot)
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
	if html := b.eval(`document.body.innerHTML`); strings.Contains(html, "hunter2") {
		t.Error("the page shows the lock URL's password")
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}
