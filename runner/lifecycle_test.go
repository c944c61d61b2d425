package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/hook"
	"github.com/tend-run/tend/internal/testkit"
	"github.com/tend-run/tend/lifecycle"
	"github.com/tend-run/tend/procfs"
	"github.com/tend-run/tend/spawn"
	"github.com/tend-run/tend/spec"
	"github.com/tend-run/tend/status"
)

func restarted(name, command string) spec.Instance {
	spec := testInstance(name, command)
	spec.Restart = true
	return spec
}

// A worker that exits 0 (after its batch) is started again at once: no
// back-off, no crash counted, and 20 recycles in a row never give up.
func TestExit0IsARecycle(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{
		Instances: []spec.Instance{restarted("worker.1", "echo batch done; sleep 0.01; exit 0"), testInstance("web.1", "exec sleep 60")},
		Backoff:   lifecycle.Backoff{Min: time.Hour, Max: time.Hour, GiveUp: 3, Quick: time.Millisecond},
	})
	testkit.WaitFor(t, "20 recycles", 60*time.Second, func() bool {
		return strings.Count(h.out.String(), "worker.1 exited with status 0: recycled") >= 20
	})
	out := h.out.String()
	if strings.Contains(out, "restarting worker.1 in") || strings.Contains(out, "giving up") {
		t.Errorf("a clean exit got the crash back-off:\n%s", out)
	}
	p := h.process("worker.1")
	if p.Recycles["exit0"] < 20 || p.LastRecycle != "exit0" {
		t.Errorf("recycles %v (last %q), want at least 20 exit0", p.Recycles, p.LastRecycle)
	}
	if web := h.process("web.1"); web.State != status.Running || web.Restarts != 0 {
		t.Errorf("web.1 %+v, want running, never restarted", web)
	}
}

// Exits 0 that each come right after the start are a hot loop: after
// HotLoop of them in a row, the crash back-off.
func TestExit0HotLoopGetsTheBackoff(t *testing.T) {
	t.Parallel()
	h := startHarness(t, Config{
		Instances: []spec.Instance{restarted("worker.1", "exit 0"), testInstance("web.1", "exec sleep 60")},
		Backoff:   lifecycle.Backoff{Min: time.Millisecond, Max: time.Millisecond, GiveUp: 100, Quick: time.Minute, HotLoop: 3},
	})
	h.out.WaitFor(t, "worker.1 exited with status 0 within 1m0s of its start 3 times in a row: restarting it with the crash back-off")
	h.out.WaitFor(t, "restarting worker.1 in 1ms")
	if n := strings.Count(h.out.String(), ": recycled"); n < 2 {
		t.Errorf("%d recycles before the guard, want 2:\n%s", n, h.out)
	}
}

// hookLog is a hook that appends "EVENT FAILURES PROCESS REASON" and its
// TEND_OUTPUT_TAIL's lines (indented) to a file; lines reads it.
func hookLog(t *testing.T, every time.Duration) (*hook.Hook, func() []string, string) {
	file := filepath.Join(t.TempDir(), "hooks")
	// Written whole with one write (cat of a small file), so a reader never
	// sees half a hook.
	hk := &hook.Hook{Command: `{ echo "$TEND_EVENT $TEND_FAILURES $TEND_PROCESS $TEND_REASON"; printf %s "$TEND_OUTPUT_TAIL" | sed 's/^/  /'; } > ` + file + `.$$; cat ` + file + `.$$ >> ` + file + `; rm ` + file + `.$$`,
		Env: os.Environ(), Timeout: 10 * time.Second, Every: every}
	return hk, func() []string {
		data, _ := os.ReadFile(file)
		var events []string
		for line := range strings.Lines(string(data)) {
			if !strings.HasPrefix(line, "  ") {
				events = append(events, strings.TrimSpace(line))
			}
		}
		return events
	}, file
}

// A type that keeps crashing and may die is given up on its own: its
// instances show failed (the check fails), the rest keeps running, the
// hook fires once for the failures and once for the give-up, and the
// give-up's TEND_OUTPUT_TAIL holds only the last run's output.
func TestGiveUpOnATypeThatMayDie(t *testing.T) {
	t.Parallel()
	counter := filepath.Join(t.TempDir(), "runs")
	crash := restarted("crash.1", `n=$(cat `+counter+` 2>/dev/null || echo 0); echo $((n+1)) > `+counter+`; echo "run $n"; exit 4`)
	crash.CanDie = true
	other := restarted("crash.2", "exec sleep 60")
	other.CanDie = true
	hk, events, file := hookLog(t, time.Hour)
	h := startHarness(t, Config{
		Instances: []spec.Instance{crash, other, testInstance("web.1", "exec sleep 60")},
		Backoff:   lifecycle.Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond, GiveUp: 5},
		OnFailure: hk,
	})
	h.waitState("crash.1", status.Failed)
	h.waitState("crash.2", status.Failed)
	h.out.WaitFor(t, "crash.1 stopped 5 times in a row within 1m0s; giving up on crash")
	for _, want := range []string{"restarting crash.1 in 1ms", "restarting crash.1 in 2ms", "crash failed: it may die (--can-die), so the rest keeps running"} {
		h.out.WaitFor(t, want)
	}
	snap := h.do(status.OpStatus, "")
	if ok, why := snap.Healthy(status.Processes, time.Now()); ok || !strings.Contains(why, "is failed") {
		t.Errorf("health %v %q, want a failed type to fail the check", ok, why)
	}
	if web := h.process("web.1"); web.State != status.Running {
		t.Errorf("web.1 is %s, want running", web.State)
	}
	testkit.WaitFor(t, "two hooks", 20*time.Second, func() bool { return len(events()) >= 2 })
	if got := events(); len(got) != 2 || got[0] != "failed 1 crash.1" || got[1] != "gave-up 4 crash.1" {
		t.Errorf("hooks %q, want one failure (1) and the give-up (the 4 counted since)", got)
	}
	// The give-up's tail: the last run only.
	data, _ := os.ReadFile(file)
	last := string(data)[strings.Index(string(data), "gave-up"):]
	if !strings.Contains(last, "  run 4") || strings.Contains(last, "run 3") {
		t.Errorf("the give-up's TEND_OUTPUT_TAIL holds other runs' output:\n%s", last)
	}
	// tend restart tries again.
	h.do(status.OpRestart, "crash.2")
	h.waitState("crash.2", status.Running)
}

// Under a crash loop with a short --on-failure-every, every failure is
// counted exactly once across the hooks (TEND_FAILURES), and a run that
// then stays up is reported as recovered.
func TestFailureHooksCountedUnderACrashLoop(t *testing.T) {
	t.Parallel()
	counter := filepath.Join(t.TempDir(), "runs")
	flaky := restarted("flaky.1", `n=$(cat `+counter+` 2>/dev/null || echo 0); echo $((n+1)) > `+counter+`; [ $n -ge 6 ] && exec sleep 60; exit 3`)
	hk, events, _ := hookLog(t, 300*time.Millisecond)
	startHarness(t, Config{
		Instances: []spec.Instance{flaky},
		Backoff:   lifecycle.Backoff{Min: time.Millisecond, Max: time.Millisecond, GiveUp: 100},
		OnFailure: hk,
	})
	testkit.WaitFor(t, "the recovery", 30*time.Second, func() bool {
		e := events()
		return len(e) > 0 && strings.HasPrefix(e[len(e)-1], "recovered")
	})
	total := 0
	for _, e := range events() {
		f := strings.Fields(e)
		n, _ := strconv.Atoi(f[1])
		total += n
	}
	if total != 6 {
		t.Errorf("hooks %q count %d failures, want the 6 crashes", events(), total)
	}
	if got := events(); got[0] != "failed 1 flaky.1" {
		t.Errorf("first hook %q, want the first failure alone", got[0])
	}
}

// --max-memory: an instance whose group holds more than the limit for two
// samples is recycled gracefully, and tend logs the figure.
func TestMaxMemoryRecycles(t *testing.T) {
	t.Parallel()
	if !procfs.CanMeasure {
		t.Skip("needs /proc")
	}
	// dd holds its 40 MiB buffer, written, while it waits on a pipe sleep
	// never reads: the group (sh, dd, sleep) is above 16 MiB.
	grower := restarted("worker.1", "echo started; dd if=/dev/zero bs=40M count=1 2>/dev/null | sleep 60")
	grower.MaxMemory = 16 << 20
	h := startHarness(t, Config{Instances: []spec.Instance{grower, testInstance("web.1", "exec sleep 60")}, SampleEvery: 20 * time.Millisecond})
	h.out.WaitFor(t, "above its --max-memory 16.0M for 2 samples in a row: recycling it")
	if !regexp.MustCompile(`worker\.1 uses (1[6-9]|[2-9]\d)\.\dM of memory in [23] processes`).MatchString(h.out.String()) {
		t.Errorf("the figure is not logged:\n%s", h.out)
	}
	testkit.WaitFor(t, "the recycled worker", 20*time.Second, func() bool { return strings.Count(h.out.String(), "worker.1 | started") >= 2 })
	p := h.process("worker.1")
	if p.Recycles["memory"] < 1 || p.MaxMemory != 16<<20 {
		t.Errorf("worker.1 %+v, want a memory recycle", p)
	}
	if web := h.process("web.1"); web.Restarts != 0 {
		t.Errorf("web.1 restarted")
	}
}

// --max-age in seconds: recycled after at most the age, at least 90 % of it.
func TestMaxAgeRecycles(t *testing.T) {
	t.Parallel()
	worker := testInstance("worker.1", "echo started; exec sleep 60")
	worker.MaxAge = time.Second
	h := startHarness(t, Config{Instances: []spec.Instance{worker}})
	h.out.WaitFor(t, "(--max-age 1s, less up to 10 %): recycling it")
	m := regexp.MustCompile(`worker\.1 has run for (\S+) `).FindStringSubmatch(h.out.String())
	if m == nil {
		t.Fatalf("no age logged:\n%s", h.out)
	}
	if ran, err := time.ParseDuration(m[1]); err != nil || ran < 900*time.Millisecond {
		t.Errorf("recycled after %s, want at least 900ms (10 %% jitter at most)", m[1])
	}
	testkit.WaitFor(t, "the recycled worker", 20*time.Second, func() bool { return strings.Count(h.out.String(), "worker.1 | started") >= 2 })
	if p := h.process("worker.1"); p.Recycles["age"] < 1 {
		t.Errorf("recycles %v, want age", p.Recycles)
	}
}

// rollLog is a worker that logs "start PID" when it runs and, when it gets
// SIGTERM, "stop PID ALIVE": the pids of every process whose command line
// names the log (pgrep), taken before it exits. Of those, the replay
// counts the other workers (pids that logged a start): how many workers
// ran while this one went down.
func rollLog(t *testing.T) (cmd, file string, replay func() (low int, starts, stops []string)) {
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Skip("needs pgrep")
	}
	file = filepath.Join(t.TempDir(), "roll")
	cmd = `echo start $$ >> ` + file + `; trap 'echo stop $$ $(pgrep -d " " -f ` + file + `) >> ` + file + `; sleep 0.2; exit 0' TERM; echo up; while :; do sleep 0.05; done`
	return cmd, file, func() (int, []string, []string) {
		data, err := os.ReadFile(file)
		if err != nil {
			return 0, nil, nil
		}
		workers := map[string]bool{}
		var starts, stops []string
		var alive [][]string
		for line := range strings.Lines(string(data)) {
			f := strings.Fields(line)
			if f[0] == "start" {
				workers[f[1]] = true
				starts = append(starts, f[1])
			} else {
				stops = append(stops, f[1])
				alive = append(alive, f[1:])
			}
		}
		low := 3
		for _, a := range alive {
			others := 0
			for _, pid := range a[1:] {
				if pid != a[0] && workers[pid] {
					others++
				}
			}
			low = min(low, others)
		}
		return low, starts, stops
	}
}

// tend restart of a type with three instances stops one, starts it again,
// waits until it is up, then takes the next: at least two run throughout.
func TestRollingRestartKeepsTheRestUp(t *testing.T) {
	t.Parallel()
	cmd, _, replay := rollLog(t)
	h := startHarness(t, Config{Instances: []spec.Instance{testInstance("worker.1", cmd), testInstance("worker.2", cmd), testInstance("worker.3", cmd)}})
	testkit.WaitFor(t, "three workers", 20*time.Second, func() bool { _, starts, _ := replay(); return len(starts) == 3 })
	h.do(status.OpRestart, "worker")
	// While the roll goes on, the check passes: a recycle is no outage.
	unhealthy := ""
	testkit.WaitFor(t, "three restarted workers", 30*time.Second, func() bool {
		if ok, why := h.do(status.OpStatus, "").Healthy(status.Processes, time.Now()); !ok && unhealthy == "" {
			unhealthy = why
		}
		_, starts, _ := replay()
		return len(starts) == 6
	})
	if unhealthy != "" {
		t.Errorf("the check failed during the roll: %s", unhealthy)
	}
	low, starts, stops := replay()
	if low < 2 {
		t.Errorf("only %d other workers ran while one stopped (starts %v, stops %v)\n%s", low, starts, stops, h.out)
	}
	if len(stops) != 3 || stops[0] != starts[0] && stops[0] != starts[1] && stops[0] != starts[2] {
		t.Errorf("stops %v, want the three first workers (%v)", stops, starts[:3])
	}
	for _, n := range []string{"worker.1", "worker.2", "worker.3"} {
		if p := h.process(n); p.Recycles["manual"] != 1 {
			t.Errorf("%s recycles %v, want one manual", n, p.Recycles)
		}
	}
	h.out.WaitFor(t, "restart worker requested through the control socket (rolling: one instance of a type at a time)")
}

// --all-at-once keeps the old behaviour: every instance is stopped at once.
func TestRestartAllAtOnce(t *testing.T) {
	t.Parallel()
	// A worker told to stop waits (up to 10 s) until all three were told:
	// whether the stops come together is tend's doing, not how fast each
	// shell gets through its trap on a loaded machine. A rolling restart
	// would stop one, wait 10 s for it, and start it before the next stop.
	file := filepath.Join(t.TempDir(), "roll")
	cmd := `echo start $$ >> ` + file + `; trap 'echo stop $$ >> ` + file + `; n=0; while [ $(grep -c ^stop ` + file + `) -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; exit 0' TERM; echo up; while :; do sleep 0.05; done`
	order := func() []string {
		data, _ := os.ReadFile(file)
		return regexp.MustCompile(`(?m)^(start|stop)`).FindAllString(string(data), -1)
	}
	starts := func() int { return strings.Count(strings.Join(order(), " "), "start") }
	h := startHarness(t, Config{Instances: []spec.Instance{testInstance("worker.1", cmd), testInstance("worker.2", cmd), testInstance("worker.3", cmd)}})
	testkit.WaitFor(t, "three workers", 20*time.Second, func() bool { return starts() == 3 })
	h.do(status.OpRestartAllAtOnce, "worker")
	testkit.WaitFor(t, "three restarted workers", 30*time.Second, func() bool { return starts() == 6 })
	// Every worker was told to stop before the first came back.
	if o := order(); strings.Join(o[3:6], " ") != "stop stop stop" {
		t.Errorf("order %v, want the three stops together", o)
	}
	h.signal(syscall.SIGTERM)
	h.wait()
}

// A roll waits for readiness: the next worker is stopped only once the one
// started before it passes its readiness check (a worker is ready a while
// after it starts, when it has created DYNO.ready, which it removes when
// it is told to stop).
func TestRollingRestartWaitsUntilReady(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	cmd := `echo start $DYNO >> ` + log + `; trap 'rm $DYNO.ready; echo stop $DYNO >> ` + log + `; exit 0' TERM; sleep 0.3; echo ready $DYNO >> ` + log + `; touch $DYNO.ready; while :; do sleep 0.05; done`
	ready := health.Check{Type: health.Readiness, Kind: health.Command, Command: []string{"sh", "-c", `test -e "$DYNO.ready"`},
		Attempts: 1, Wait: 20 * time.Millisecond, Timeout: 5 * time.Second}
	var specs []spec.Instance
	for _, n := range []string{"worker.1", "worker.2", "worker.3"} {
		spec := testInstance(n, cmd)
		spec.Env = spawn.WithEnv(spec.Env, "DYNO="+n)
		spec.Checks = []health.Check{ready}
		specs = append(specs, spec)
	}
	h := startHarness(t, Config{Dir: dir, Instances: specs})
	for _, n := range []string{"worker.1", "worker.2", "worker.3"} {
		testkit.WaitFor(t, n+" ready", 20*time.Second, func() bool { p := h.process(n); return p.Ready != nil && *p.Ready })
	}
	h.do(status.OpRestart, "worker")
	events := func() []string {
		data, _ := os.ReadFile(log)
		return strings.Split(strings.TrimSpace(string(data)), "\n")
	}
	testkit.WaitFor(t, "three workers ready again", 30*time.Second, func() bool { return len(events()) == 12 })
	state := map[string]string{}
	for _, e := range events() {
		what, name, _ := strings.Cut(e, " ")
		if what == "stop" {
			others := 0
			for n, st := range state {
				if n != name && st == "ready" {
					others++
				}
			}
			if others < 2 {
				t.Fatalf("%s was stopped while %d others were ready: %q\n%s", name, others, events(), h.out)
			}
		}
		state[name] = what
	}
}

// Age recycles that come due together roll too: three workers started
// together with --max-age 1s are recycled one at a time.
func TestAgeRecyclesRoll(t *testing.T) {
	t.Parallel()
	cmd, _, replay := rollLog(t)
	var specs []spec.Instance
	for _, n := range []string{"worker.1", "worker.2", "worker.3"} {
		spec := testInstance(n, cmd)
		spec.MaxAge = time.Second
		specs = append(specs, spec)
	}
	h := startHarness(t, Config{Instances: specs})
	testkit.WaitFor(t, "three recycled workers", 30*time.Second, func() bool { _, starts, _ := replay(); return len(starts) >= 6 })
	if low, starts, stops := replay(); low < 2 {
		t.Errorf("only %d other workers ran while one was recycled (starts %v, stops %v)\n%s", low, starts, stops, h.out)
	}
}
