package runner

import (
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/output"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

// harness runs a Supervisor in-process with real children: signals are
// sent on its Signals channel rather than to the test binary, and reload
// plans come from the test.
type harness struct {
	t       *testing.T
	s       *Supervisor
	out     *testkit.Buffer
	sigs    chan os.Signal
	reloads chan spec.ReloadRequest
	code    chan int

	mu   sync.Mutex
	plan spec.ReloadPlan // what the next reload finds
}

// startHarness runs cfg's formation (Output, Reaper, Signals and Reload
// are filled in) until the test ends. A test runs one harness at a time:
// two Reapers in one process would take each other's statuses.
func startHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := &harness{t: t, out: &testkit.Buffer{}, sigs: make(chan os.Signal, 4), reloads: make(chan spec.ReloadRequest), code: make(chan int, 1)}
	cfg.Output = output.NewMux(output.OutputOptions{Stdout: h.out, Stderr: h.out, Prefix: true, KeepTail: true})
	cfg.Reaper = testkit.Reaper(t)
	if cfg.Cron != nil && cfg.Cron.Output == nil {
		cfg.Cron.Output = cfg.Output
	}
	if cfg.OnFailure != nil {
		cfg.OnFailure.Reaper, cfg.OnFailure.Output = cfg.Reaper, cfg.Output
	}
	cfg.Signals = h.sigs
	cfg.Reloads = h.reloads
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	h.plan = spec.ReloadPlan{Instances: cfg.Instances}
	cfg.Reload = func() (spec.ReloadPlan, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.plan, nil
	}
	h.s = NewSupervisor(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { h.code <- h.s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-h.code:
			h.code <- code
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return\n%s", h.out)
		}
	})
	return h
}

// setPlan is what the next reload will find.
func (h *harness) setPlan(p spec.ReloadPlan) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plan = p
}

func (h *harness) signal(sig syscall.Signal) { h.sigs <- sig }

// wait returns Run's exit code.
func (h *harness) wait() int {
	h.t.Helper()
	select {
	case code := <-h.code:
		h.code <- code
		return code
	case <-time.After(30 * time.Second):
		h.t.Fatalf("Run did not return\n%s", h.out)
		return -1
	}
}

// do runs a control operation and fails the test on an error.
func (h *harness) do(op, target string) status.Snapshot {
	h.t.Helper()
	snap, err := h.s.Do(op, target)
	if err != nil {
		h.t.Fatalf("%s %s: %v\n%s", op, target, err, h.out)
	}
	return snap
}

// process is name's status now.
func (h *harness) process(name string) status.Process {
	h.t.Helper()
	for _, p := range h.do(status.OpStatus, "").Processes {
		if p.Name == name {
			return p
		}
	}
	h.t.Fatalf("no process %s\n%s", name, h.out)
	return status.Process{}
}

// waitState waits until name is in state.
func (h *harness) waitState(name, state string) status.Process {
	h.t.Helper()
	var p status.Process
	testkit.WaitFor(h.t, name+" "+state, 10*time.Second, func() bool {
		p = h.process(name)
		return p.State == state
	})
	return p
}
