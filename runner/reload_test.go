package runner

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// reloadHarness runs a supervisor whose spec.Reloader blocks until the test
// releases it, as a parse of a FIFO put in the Procfile's place would.
type reloadHarness struct {
	t       *testing.T
	s       *Supervisor
	out     *testkit.Buffer
	reloads chan spec.ReloadRequest
	started chan struct{} // one value per parse that began
	release chan struct{} // one value lets one parse finish
	calls   atomic.Int32
	cancel  context.CancelFunc
	done    chan int
}

func newReloadHarness(t *testing.T) *reloadHarness {
	h := &reloadHarness{t: t, out: &testkit.Buffer{}, reloads: make(chan spec.ReloadRequest),
		started: make(chan struct{}, 10), release: make(chan struct{}), done: make(chan int, 1)}
	web := testInstance("web.1", "exec sleep 600")
	m := output.NewMux(output.OutputOptions{Stdout: h.out, Stderr: h.out, Prefix: true})
	h.s = NewSupervisor(Config{
		Instances: []spec.Instance{web}, Timeout: 5 * time.Second, Output: m, Reaper: testkit.Reaper(t),
		Reloads: h.reloads,
		Reload: func() (spec.ReloadPlan, error) {
			h.calls.Add(1)
			h.started <- struct{}{}
			<-h.release
			return spec.ReloadPlan{Instances: []spec.Instance{web}}, nil
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		// Let blocked parses go (the old code's loop waits for them), then
		// wait for Run so that web.1 is stopped.
		for {
			select {
			case h.release <- struct{}{}:
				continue
			case <-h.done:
			case <-time.After(30 * time.Second):
				t.Error("Run never returned")
			}
			return
		}
	})
	return h
}

// within fails unless f returns within 10 s.
func (h *reloadHarness) within(what string, f func()) {
	h.t.Helper()
	ok := make(chan struct{})
	go func() { f(); close(ok) }()
	select {
	case <-ok:
	case <-time.After(10 * time.Second):
		h.t.Fatalf("%s: blocked while a reload parses\n%s", what, h.out)
	}
}

// A reload whose parse hangs leaves the supervisor working: status
// answers, more requests are taken, and a stop request is acted on at once
// (the parse's result, when it comes, is dropped).
func TestReloadParsesOffTheLoop(t *testing.T) {
	t.Parallel()
	h := newReloadHarness(t)
	h.within("first request", func() { h.reloads <- spec.ReloadRequest{Reason: "first"} })
	h.within("the parse to start", func() { <-h.started })
	h.within("status", func() {
		if _, err := h.s.Do("status", ""); err != nil {
			t.Errorf("status: %v", err)
		}
	})
	h.within("second request", func() { h.reloads <- spec.ReloadRequest{Reason: "second"} })
	h.cancel()
	select {
	case code := <-h.done:
		h.done <- code
		if code != 0 {
			t.Errorf("exit code %d after a stop request\n%s", code, h.out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("Run did not stop while a reload parsed\n%s", h.out)
	}
	h.release <- struct{}{} // the hung parse ends after tend has stopped
	if n := h.calls.Load(); n != 1 {
		t.Errorf("%d parses, want 1 (none after the stop)", n)
	}
	if strings.Contains(h.out.String(), "reload (") {
		t.Errorf("a reload was applied during or after the drain:\n%s", h.out)
	}
}

// Requests that come while a parse runs are coalesced into one more parse
// after it: the files may have changed after the first read them.
func TestReloadCoalescesRequests(t *testing.T) {
	t.Parallel()
	h := newReloadHarness(t)
	h.within("first request", func() { h.reloads <- spec.ReloadRequest{Reason: "first"} })
	h.within("the parse to start", func() { <-h.started })
	for _, r := range []string{"second", "third"} {
		h.within(r+" request", func() { h.reloads <- spec.ReloadRequest{Reason: r} })
	}
	h.within("first parse to finish", func() { h.release <- struct{}{} })
	h.within("the second parse to start", func() { <-h.started })
	h.within("second parse to finish", func() { h.release <- struct{}{} })
	testkit.WaitFor(t, "the second reload", 10*time.Second, func() bool { return strings.Contains(h.out.String(), "reload (third): nothing changed") })
	h.within("status", func() { _, _ = h.s.Do("status", "") }) // the loop has handled everything before
	if n := h.calls.Load(); n != 2 {
		t.Errorf("%d parses for 3 requests, want 2\n%s", n, h.out)
	}
	if got := h.out.String(); !strings.Contains(got, "reload (first): nothing changed") || strings.Contains(got, "reload (second)") {
		t.Errorf("want reloads first and third:\n%s", got)
	}
}

// A reload reconciles: a changed command or environment restarts the
// instance, a removed one stops, a new one starts, an unchanged one keeps
// running with the same pid.
func TestReloadReconciles(t *testing.T) {
	t.Parallel()
	keep, edit, drop := testInstance("keep.1", idle), testInstance("edit.1", idle), testInstance("drop.1", idle)
	env := testInstance("env.1", idle)
	h := startHarness(t, Config{Instances: []spec.Instance{keep, edit, drop, env}})
	pids := map[string]int{}
	for _, n := range []string{"keep.1", "edit.1", "drop.1", "env.1"} {
		pids[n] = h.waitState(n, status.Running).Pid
	}
	edited := edit
	edited.Command = "trap 'exit 0' TERM; " + idle
	envd := env
	envd.Env = append(slices.Clone(env.Env), "NEW=1")
	h.setPlan(spec.ReloadPlan{Instances: []spec.Instance{keep, edited, envd, testInstance("new.1", idle)}, EnvChanged: true})
	h.do(status.OpReload, "")
	h.out.WaitFor(t, "reload (tend reload):")
	for _, want := range []string{"edit restarted (command changed)", "new started", "drop stopped", "environment changed: restarted env"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("reload summary lacks %q:\n%s", want, h.out)
		}
	}
	h.waitState("new.1", status.Running)
	for _, n := range []string{"edit.1", "env.1"} {
		testkit.WaitFor(t, n+" restarted", 10*time.Second, func() bool {
			p := h.process(n)
			return p.State == status.Running && p.Pid != pids[n]
		})
	}
	if p := h.process("keep.1"); p.Pid != pids["keep.1"] || p.Restarts != 0 {
		t.Errorf("keep.1 was touched: %+v (pid was %d)", p, pids["keep.1"])
	}
	testkit.WaitFor(t, "drop.1 removed", 10*time.Second, func() bool {
		for _, p := range h.do(status.OpStatus, "").Processes {
			if p.Name == "drop.1" {
				return false
			}
		}
		return true
	})
}

// --watch-path restarts only the named types.
func TestReloadRestartTypes(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{Instances: []spec.Instance{testInstance("web.1", idle), testInstance("worker.1", idle)}})
	web := h.waitState("web.1", status.Running).Pid
	worker := h.waitState("worker.1", status.Running).Pid
	h.reloads <- spec.ReloadRequest{Reason: "app.py changed", RestartTypes: []string{"web"}}
	h.out.WaitFor(t, "app.py changed: restarting web.1")
	testkit.WaitFor(t, "web.1 restarted", 10*time.Second, func() bool {
		p := h.process("web.1")
		return p.State == status.Running && p.Pid != web
	})
	if p := h.process("worker.1"); p.Pid != worker {
		t.Errorf("worker.1 was restarted: %+v", p)
	}
}

// Under --watch a process that exits leaves the rest running, is shown as
// waiting for a change, is not a health failure, and the next reload starts
// it again even if its command did not change.
func TestWatchKeepsWatchingAfterAnExit(t *testing.T) {
	t.Parallel()
	crash, web := testInstance("crash.1", "exit 3"), testInstance("web.1", idle)
	h := startHarness(t, Config{Instances: []spec.Instance{crash, web}, KeepWatching: true})
	h.waitState("crash.1", status.Waiting)
	if p := h.process("web.1"); p.State != status.Running {
		t.Fatalf("web.1 is %s after crash.1 exited", p.State)
	}
	if ok, why := h.do(status.OpStatus, "").Healthy(status.Processes, time.Now()); !ok {
		t.Errorf("a process waiting for a change is a health failure: %s", why)
	}
	h.out.WaitFor(t, "crash.1 exited with status 3; the rest keeps running")
	h.setPlan(spec.ReloadPlan{Instances: []spec.Instance{crash, web}})
	h.do(status.OpReload, "")
	h.out.WaitFor(t, "crash started again")
	testkit.WaitFor(t, "crash.1 exited again", 10*time.Second, func() bool {
		return h.process("crash.1").Exits == 2
	})
}

// A reload that removes an instance that is not running (a type that may
// die and has exited) ahead of others removes it and goes on with the rest.
func TestReloadRemovesExitedInstance(t *testing.T) {
	t.Parallel()
	web := testInstance("web.1", "exit 0")
	web.CanDie = true
	h := startHarness(t, Config{Instances: []spec.Instance{web, testInstance("worker.1", idle), testInstance("clock.1", idle)}})
	h.waitState("web.1", status.Exited)
	h.setPlan(spec.ReloadPlan{Instances: []spec.Instance{testInstance("worker.1", idle), testInstance("clock.1", idle)}})
	h.reloads <- spec.ReloadRequest{Reason: "test"}
	h.out.WaitFor(t, "reload (test): web stopped")
	var names []string
	for _, p := range h.do(status.OpStatus, "").Processes {
		names = append(names, p.Name+" "+p.State)
	}
	if want := []string{"worker.1 running", "clock.1 running"}; !slices.Equal(names, want) {
		t.Errorf("after the reload: %v, want %v", names, want)
	}
}
