package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tend-run/tend/internal/dbtest"
)

// overlaps reads a log of "start"/"end" lines written by runs and says how
// many runs started while another was going.
func overlaps(t *testing.T, log string) (runs, overlapping int) {
	t.Helper()
	data, _ := os.ReadFile(log)
	going := 0
	for _, l := range lines(string(data)) {
		switch {
		case strings.HasPrefix(l, "start"):
			runs++
			if going > 0 {
				overlapping++
			}
			going++
		case strings.HasPrefix(l, "end"):
			going--
		}
	}
	return runs, overlapping
}

// lockServers are the database kinds the end-to-end tests run against.
var lockServers = []struct {
	name string
	srv  func(testing.TB) *dbtest.Server
}{{"postgres", dbtest.Postgres}, {"mariadb", dbtest.MariaDB}}

// eachKind runs f once per database kind, as subtests side by side within
// t's own parallel slot: parallel subtests would queue for slots behind
// every top-level test still waiting, and make the package's tail.
func eachKind(t *testing.T, f func(t *testing.T, kind string, srv func(testing.TB) *dbtest.Server)) {
	var wg sync.WaitGroup
	for _, kind := range lockServers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(kind.name, func(t *testing.T) { f(t, kind.name, kind.srv) })
		}()
	}
	wg.Wait()
}

// Two tends with different lock dirs (two hosts) and the same lock URL
// never run the job at once: each run of the forbid job outlasts the
// schedule's second, so the other tend finds the lock held and skips.
func TestLockURLTwoTendsNeverOverlap(t *testing.T) {
	t.Parallel()
	eachKind(t, func(t *testing.T, _ string, srv func(testing.TB) *dbtest.Server) {
		twoTendsNeverOverlap(t, srv(t))
	})
}

func twoTendsNeverOverlap(t *testing.T, db *dbtest.Server) {
	log := filepath.Join(t.TempDir(), "runs")
	// A run stopped by the SIGTERM at the end logs its end too: else the
	// other tend's run that takes the freed lock (its due run late on a
	// loaded machine) looked like an overlap.
	appJSON := fmt.Sprintf(`{"cron": [{"command": "trap 'echo end >> %s; exit 0' TERM; echo start >> %s; sleep 1.3; echo end >> %s", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`, log, log, log)
	var tends []*tendProc
	for i := range 2 {
		dir := writeApp(t, map[string]string{"app.json": appJSON})
		env := []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=shop", "TEND_LOCK_DIR=" + t.TempDir(),
			"TEND_SOCKET=" + filepath.Join(t.TempDir(), fmt.Sprint("s", i))}
		tends = append(tends, startTend(t, dir, env, "start", "-t", "3"))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if runs, _ := overlaps(t, log); runs >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than 4 runs in 30 s\n%s\n%s", tends[0].stderr, tends[1].stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range tends {
		p.signal(syscall.SIGTERM)
	}
	skipped := 0
	for _, p := range tends {
		p.wait()
		out := p.stdout.String() + p.stderr.String()
		skipped += strings.Count(out, "lock held by another run")
		if strings.Contains(out, dbtest.Password) {
			t.Errorf("the lock URL's password was printed:\n%s", out)
		}
	}
	if runs, bad := overlaps(t, log); bad > 0 || skipped == 0 {
		t.Errorf("%d of %d runs overlapped another; %d skips for a lock held elsewhere\n%s\n%s", bad, runs, skipped, tends[0].stderr, tends[1].stderr)
	}
}

// httpGet fetches url: its status code and body (0 when it cannot).
func httpGet(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The lock database stops while tend runs: each due run is skipped with a
// line naming the database (password masked) and the reason, never run
// unlocked; /healthz/cron answers 503 naming the job and "lock database
// unavailable", `tend status` says so, and tend_cron_skips_total counts
// the skips under reason="database-unavailable". Once the server is back
// the runs resume and /healthz/cron recovers.
func TestLockURLServerStoppedAndBack(t *testing.T) {
	t.Parallel()
	eachKind(t, func(t *testing.T, kind string, _ func(testing.TB) *dbtest.Server) {
		db := dbtest.Private(t, kind)
		log := filepath.Join(t.TempDir(), "runs")
		dir := writeApp(t, map[string]string{"app.json": fmt.Sprintf(`{"cron": [{"command": "echo start >> %s; echo end >> %s", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`, log, log)})
		addr := freeAddr(t)
		env := []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=restart", "TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
		p := startTend(t, dir, env, "start", "--metrics-addr", addr)
		waitFor(t, "two runs", func() bool { runs, _ := overlaps(t, log); return runs >= 2 })
		db.Stop()
		p.waitFor("unavailable: ", p.stderr)
		before, _ := overlaps(t, log)
		id := cronIDs(t, dir)[0]
		waitFor(t, "/healthz/cron to fail", func() bool {
			code, body := httpGet("http://" + addr + "/healthz/cron")
			return code == 503 && strings.Contains(body, "cron "+id+" (echo start") && strings.Contains(body, "): lock database unavailable: the run due at ")
		})
		if stdout, stderr, _ := runTend(t, dir, env, "status"); !strings.Contains(stdout, id+": the run due at ") || !strings.Contains(stdout, " ago: lock database unavailable (lock database "+strings.SplitN(db.URL, ":", 2)[0]+"://tend:xxxxx@") {
			t.Errorf("tend status while the database is down:\n%s%s", stdout, stderr)
		}
		if stdout, stderr, code := runTend(t, dir, env, "status", "--check", "--cron"); code != 1 || !strings.Contains(stdout, "): lock database unavailable: ") {
			t.Errorf("tend status --check --cron while the database is down: exit %d\n%s%s", code, stdout, stderr)
		}
		if _, body := httpGet("http://" + addr + "/metrics"); !strings.Contains(body, `tend_cron_skips_total{job="`+id+`",reason="database-unavailable"} `) ||
			strings.Contains(body, `tend_cron_skips_total{job="`+id+`",reason="database-unavailable"} 0`) {
			t.Errorf("/metrics while the database is down:\n%s", body)
		}
		// Skipped again a second later: still no run.
		waitFor(t, "a second skip", func() bool { return strings.Count(p.stderr.String(), "unavailable: ") >= 2 })
		if runs, _ := overlaps(t, log); runs != before {
			t.Errorf("%d runs while the lock database was down", runs-before)
		}
		if err := db.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the runs to resume", func() bool { runs, _ := overlaps(t, log); return runs > before })
		p.waitOutput("cron." + id + ": the lock database answers again (")
		waitFor(t, "/healthz/cron to recover", func() bool { code, _ := httpGet("http://" + addr + "/healthz/cron"); return code == 200 })
		p.signal(syscall.SIGTERM)
		p.wait()
		out := p.stdout.String() + p.stderr.String()
		if strings.Contains(out, dbtest.Password) {
			t.Errorf("the lock URL's password was printed:\n%s", out)
		}
		line := ""
		for _, l := range lines(p.stderr.String()) {
			if strings.Contains(l, "unavailable: ") {
				line = l
				break
			}
		}
		if !strings.Contains(line, "cron."+id+": skipped the run due at ") || !strings.Contains(line, ":xxxxx@127.0.0.1:") || !strings.Contains(line, "connection refused") {
			t.Errorf("unclear skip line: %q", line)
		}
		t.Logf("%s", line)
	})
}

// kill -9 of the tend whose run holds the lock: the database drops the
// lock with the connection, so the other tend's next due run takes it.
func TestLockURLKill9OfTheHolder(t *testing.T) {
	t.Parallel()
	eachKind(t, func(t *testing.T, kind string, srv func(testing.TB) *dbtest.Server) {
		db := srv(t)
		log := filepath.Join(t.TempDir(), "runs")
		appJSON := fmt.Sprintf(`{"cron": [{"command": "echo start $WHO >> %s; sleep 60", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`, log)
		env := []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=kill9-" + kind}
		start := func(who string) *tendProc {
			dir := writeApp(t, map[string]string{"app.json": appJSON})
			return startTend(t, dir, append(env, "WHO="+who, "TEND_LOCK_DIR="+t.TempDir(), "TEND_SOCKET="+filepath.Join(t.TempDir(), "s")), "start", "-t", "1")
		}
		ran := func(who string) bool {
			data, _ := os.ReadFile(log)
			return strings.Contains(string(data), "start "+who+"\n")
		}
		a := start("a")
		waitFor(t, "a's run", func() bool { return ran("a") })
		b := start("b")
		b.waitFor("lock held by another run", b.stdout)
		if err := syscall.Kill(a.cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		a.wait()
		killed := time.Now()
		skips := strings.Count(b.stdout.String(), "lock held by another run")
		waitFor(t, "b's run", func() bool { return ran("b") })
		took := time.Since(killed)
		t.Logf("b's run started %v after a's kill -9", took.Round(time.Millisecond))
		// The next due time is at most 1 s away; a lock that outlived
		// its holder would keep b skipping. (One skip may have been
		// under way as a died.)
		if more := strings.Count(b.stdout.String(), "lock held by another run") - skips; took > 2500*time.Millisecond || more > 1 {
			t.Errorf("b's run started %v after the holder's kill -9, after %d more skips; want its next due run (≤1 s)\n%s", took, more, b.stdout)
		}
		b.signal(syscall.SIGTERM)
		b.wait()
	})
}

// `tend cron run ID` on another host, while a running tend's run holds the
// job's database lock, is skipped with exit 75 (EX_TEMPFAIL) and names the
// holder; so is Dokku's own cron container (exec mode with DYNO=cron.N).
func TestLockURLCronRunAgainstAHeldLock(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	appJSON := `{"cron": [{"command": "sh -c 'echo running; sleep 30'", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`
	env := []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=held"}
	dir := writeApp(t, map[string]string{"app.json": appJSON})
	p := startTend(t, dir, append(env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "s")), "start", "-t", "1")
	p.waitOutput("| running")
	host, _ := os.Hostname()
	holder := fmt.Sprintf(`lock held by another run ("tend %s %d" from 127.0.0.1, backend pid `, host, p.cmd.Process.Pid)
	other := writeApp(t, map[string]string{"app.json": appJSON})
	otherEnv := append(env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "s"))
	_, stderr, code := runTend(t, other, otherEnv, "cron", "run", cronIDs(t, other)[0])
	if code != 75 || !strings.Contains(stderr, "skipped: another run holds its lock (forbid): "+holder) {
		t.Errorf("cron run against a held lock: exit %d, want 75 and the holder\n%s", code, stderr)
	}
	// Dokku passes the entry's words as the container's arguments.
	_, stderr, code = runTend(t, other, append(otherEnv, "DYNO=cron.1"), "sh", "-c", "'echo", "running;", "sleep", "30'")
	if code != 75 || !strings.Contains(stderr, "skipped: another run holds its lock (forbid): "+holder) {
		t.Errorf("DYNO=cron.1 against a held lock: exit %d, want 75 and the holder\n%s", code, stderr)
	}
	p.signal(syscall.SIGTERM)
	p.wait()
}

// replace across hosts (PostgreSQL): the other tend's due run asks the
// holder to stop (NOTIFY), the holder stops its run gracefully, and the
// runs never overlap.
func TestLockURLReplaceAcrossTends(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	log := filepath.Join(t.TempDir(), "runs")
	appJSON := fmt.Sprintf(`{"cron": [{"command": "trap 'echo end >> %s; exit 0' TERM; echo start >> %s; while :; do sleep 0.1; done", "schedule": "@every 2s", "concurrency_policy": "replace"}]}`, log, log)
	env := []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=replace"}
	a := startTend(t, writeApp(t, map[string]string{"app.json": appJSON}), append(env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "s")), "start", "-t", "5")
	a.waitFor("started (schedule", a.stdout)
	b := startTend(t, writeApp(t, map[string]string{"app.json": appJSON}), append(env, "TEND_SOCKET="+filepath.Join(t.TempDir(), "s")), "start", "-t", "5")
	waitFor(t, "a run replaced by the other tend", func() bool {
		return strings.Contains(a.stdout.String()+b.stdout.String(), "another tend replaces this run")
	})
	// The replacing run must have started before the tends are stopped
	// (under load the SIGTERM could otherwise come first, and it skips).
	waitFor(t, "the replacing run", func() bool { runs, _ := overlaps(t, log); return runs >= 2 })
	for _, p := range []*tendProc{a, b} {
		p.signal(syscall.SIGTERM)
		p.wait()
	}
	if runs, bad := overlaps(t, log); runs < 2 || bad > 0 {
		t.Errorf("%d runs, %d overlapping\n%s\n%s", runs, bad, a.stdout, b.stdout)
	}
}

// A database that cannot be reached skips the run with a clear line (the
// password masked); it never runs unlocked. `tend check` masks the URL
// too, and --connect reports the server.
func TestLockURLUnreachableAndCheck(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "runs")
	dir := writeApp(t, map[string]string{"app.json": fmt.Sprintf(`{"cron": [{"command": "echo start >> %s", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`, log)})
	refused := "postgres://tend:hunter2@127.0.0.1:1/app?sslmode=disable"
	p := startTend(t, dir, []string{"TEND_LOCK_URL=" + refused, "TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}, "start")
	p.waitFor("skipped the run due at", p.stderr)
	p.signal(syscall.SIGTERM)
	p.wait()
	out := p.stdout.String() + p.stderr.String()
	if strings.Contains(out, "hunter2") || !strings.Contains(out, "xxxxx@127.0.0.1:1/app?sslmode=disable unavailable: ") {
		t.Errorf("unreachable database:\n%s", out)
	}
	if runs, _ := overlaps(t, log); runs != 0 {
		t.Errorf("%d runs without the lock", runs)
	}
	stdout, stderr, code := runTend(t, dir, []string{"TEND_LOCK_URL=" + refused}, "check")
	if code != 0 || !strings.Contains(stdout, "cron locks: postgres://tend:xxxxx@127.0.0.1:1/app") || strings.Contains(stdout+stderr, "hunter2") {
		t.Errorf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	// --connect without a lock URL says there is nothing to connect to.
	stdout, stderr, code = runTend(t, dir, nil, "check", "--connect")
	if code != 0 || !strings.Contains(stdout, "warning: --connect: no --lock-url (TEND_LOCK_URL) is set: nothing to connect to") {
		t.Errorf("check --connect without --lock-url: exit %d\n%s%s", code, stdout, stderr)
	}
	db := dbtest.Postgres(t)
	stdout, stderr, code = runTend(t, dir, []string{"TEND_LOCK_URL=" + db.URL}, "check", "--connect")
	if code != 0 || !strings.Contains(stdout, "(connected: ") || strings.Contains(stdout+stderr, dbtest.Password) {
		t.Errorf("check --connect: exit %d\n%s%s", code, stdout, stderr)
	}
}

// lockKey reads a job's PostgreSQL advisory key from `tend cron list
// --json` ("pg_advisory_lock(KEY)").
func lockKey(t *testing.T, dir string, env []string) int64 {
	t.Helper()
	stdout, stderr, code := runTend(t, dir, env, "cron", "list", "--json")
	var list []struct {
		Lock string `json:"lock"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &list) != nil || len(list) != 1 {
		t.Fatalf("cron list: exit %d\n%s%s", code, stdout, stderr)
	}
	var key int64
	if _, err := fmt.Sscanf(list[0].Lock, "pg_advisory_lock(%d)", &key); err != nil {
		t.Fatalf("lock %q: %v", list[0].Lock, err)
	}
	return key
}

// The lock's connection is killed and someone else takes the lock at once
// (pg_terminate_backend and pg_advisory_lock in one statement): the run is
// stopped gracefully, as the README says, and recorded as "lock lost".
func TestLockURLLostLockStopsTheRun(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	env := []string{"TEND_LOCK_URL=" + db.URL, "TEND_APP_NAME=lost", "TEND_SOCKET=" + filepath.Join(t.TempDir(), "s")}
	dir := writeApp(t, map[string]string{"app.json": `{"cron": [{"command": "trap 'echo stopped; exit 0' TERM; echo running; while :; do sleep 0.1; done", "schedule": "@every 1s", "concurrency_policy": "forbid"}]}`})
	key := lockKey(t, dir, env)
	p := startTend(t, dir, env, "start", "-t", "3")
	p.waitOutput("| running")
	conn, err := pgx.Connect(context.Background(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	u := uint64(key)
	if _, err := conn.Exec(context.Background(), `SELECT pg_terminate_backend(pid), pg_advisory_lock($3) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1`,
		int64(u>>32), int64(u&0xffffffff), key); err != nil {
		t.Fatal(err)
	}
	p.waitFor("lost its lock", p.stderr)
	p.waitOutput("| stopped")
	p.waitFor("(lock lost)", p.stderr)
	p.signal(syscall.SIGTERM)
	p.wait()
}
