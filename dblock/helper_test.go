package dblock

// The test binary doubles as a helper process (TestMain, TEND_DBLOCK_HELPER):
// another tend taking locks, killed or run side by side by the tests.

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tend-run/tend/cronlock"
)

// helperMain runs a helper: "hold" takes the lock, says "locked" and waits
// to be killed; "loop" takes and releases it for a while, checking with an
// O_EXCL marker file that no other holder runs at the same time.
func helperMain(mode string) int {
	l, err := Open(os.Getenv("TEND_DBLOCK_URL"), "test")
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	job := os.Getenv("TEND_DBLOCK_JOB")
	switch mode {
	case "hold":
		lk, err := l.Take(context.Background(), job, cronlock.PolicyForbid, 0)
		if err != nil {
			fmt.Println("take:", err)
			return 3
		}
		fmt.Println("locked")
		<-lk.Lost()
		fmt.Println("lost")
		return 4
	case "loop":
		mark := os.Getenv("TEND_DBLOCK_MARK")
		d, _ := time.ParseDuration(os.Getenv("TEND_DBLOCK_FOR"))
		held, tries := 0, 0
		for end := time.Now().Add(d); time.Now().Before(end); {
			tries++
			lk, err := l.Take(context.Background(), job, cronlock.PolicyForbid, 0)
			if errors.Is(err, ErrLocked) {
				time.Sleep(time.Millisecond) // the other holder's turn: spinning only loads the server
				continue
			}
			if err != nil {
				fmt.Println("take:", err)
				return 3
			}
			f, err := os.OpenFile(mark, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				fmt.Println("OVERLAP:", err)
				return 1
			}
			f.Close()
			held++
			time.Sleep(2 * time.Millisecond)
			os.Remove(mark)
			lk.Release()
		}
		fmt.Printf("held %d of %d\n", held, tries)
		return 0
	}
	return 2
}

// helper starts a helper process; its stdout is returned line by line.
func helper(t *testing.T, mode, url, job string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "TEND_DBLOCK_URL="+url, "TEND_DBLOCK_JOB="+job)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGKILL)
		io.Copy(io.Discard, out)
		cmd.Wait()
	})
	return cmd, bufio.NewReader(out)
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		t.Fatalf("helper: %v", err)
	}
	return strings.TrimSpace(line)
}

// target is one database kind with its admin operations.
type target struct {
	name string
	srv  func(testing.TB) *server
	// holder is the server-side connection id holding k (0: none).
	holder func(t testing.TB, s *server, k key) int64
	// kill ends the connection holding k from an admin session.
	kill func(t testing.TB, s *server, k key)
	// killAndTake ends it and takes the lock from the admin session
	// before its owner can come back; the returned func frees it.
	killAndTake func(t testing.TB, s *server, k key) func()
}

var targets = []target{
	{name: "postgres", srv: postgresServer, holder: pgHolderID, kill: pgKill, killAndTake: pgKillAndTake},
	{name: "mariadb", srv: mariadbServer, holder: myHolderID, kill: myKill, killAndTake: myKillAndTake},
}

// each runs f against every database kind, as subtests side by side (each
// kind has its server).
func each(t *testing.T, f func(t *testing.T, tg target, s *server)) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			f(t, tg, tg.srv(t))
		})
	}
}

// quickKeepAlive is the KeepAlive of the tests that wait for a lost
// connection to be noticed: on MariaDB that is at the next check (2 s
// apart by default), on PostgreSQL at once. What they check is in terms of
// the Locker's KeepAlive.
const quickKeepAlive = 200 * time.Millisecond

const pgHolderQuery = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
  AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1`

func pgAdmin(t testing.TB, s *server) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pgKeyArgs(k key) (int64, int64) {
	u := uint64(k.id)
	return int64(u >> 32), int64(u & 0xffffffff)
}

func pgHolderID(t testing.TB, s *server, k key) int64 {
	c := pgAdmin(t, s)
	defer c.Close(context.Background())
	hi, lo := pgKeyArgs(k)
	var pid int32
	err := c.QueryRow(context.Background(), pgHolderQuery, hi, lo).Scan(&pid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return int64(pid)
}

func pgKill(t testing.TB, s *server, k key) {
	c := pgAdmin(t, s)
	defer c.Close(context.Background())
	hi, lo := pgKeyArgs(k)
	var ok bool
	if err := c.QueryRow(context.Background(), "SELECT pg_terminate_backend(pid) FROM ("+pgHolderQuery+") h", hi, lo).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend: %v %v", ok, err)
	}
}

func pgKillAndTake(t testing.TB, s *server, k key) func() {
	c := pgAdmin(t, s)
	hi, lo := pgKeyArgs(k)
	// One statement: the lock is queued for before the terminated backend
	// can exit, and a queued waiter is granted before a later try.
	q := "SELECT pg_terminate_backend(h.pid), pg_advisory_lock($3) FROM (" + pgHolderQuery + ") h"
	if _, err := c.Exec(context.Background(), q, hi, lo, k.id); err != nil {
		t.Fatal(err)
	}
	return func() { c.Close(context.Background()) }
}

func myHolderID(t testing.TB, s *server, k key) int64 {
	db := mariadbRoot(s)
	defer db.Close()
	var id sql.NullInt64
	if err := db.QueryRow("SELECT IS_USED_LOCK(?)", k.name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id.Int64
}

func myKill(t testing.TB, s *server, k key) {
	id := myHolderID(t, s, k)
	db := mariadbRoot(s)
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("KILL %d", id)); err != nil || id == 0 {
		t.Fatalf("KILL %d: %v", id, err)
	}
}

func myKillAndTake(t testing.TB, s *server, k key) func() {
	id := myHolderID(t, s, k)
	db := mariadbRoot(s)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if _, err := conn.ExecContext(context.Background(), fmt.Sprintf("KILL %d", id)); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(context.Background(), "SELECT GET_LOCK(?, 10)", k.name).Scan(&got); err != nil || got != 1 {
		t.Fatalf("GET_LOCK after KILL: %d %v", got, err)
	}
	return func() { conn.Close(); db.Close() }
}

// open is a Locker for s's URL, for app "test", logging to t.
func open(t testing.TB, s *server) *Locker {
	t.Helper()
	l, err := Open(s.URL, "test")
	if err != nil {
		t.Fatal(err)
	}
	l.Logf = func(format string, args ...any) { t.Logf("dblock: "+format, args...) }
	t.Cleanup(l.Close)
	return l
}

func take(t testing.TB, l *Locker, job string) *Lock {
	t.Helper()
	lk, err := l.Take(context.Background(), job, cronlock.PolicyForbid, 0)
	if err != nil {
		t.Fatalf("Take %s: %v", job, err)
	}
	t.Cleanup(lk.Release)
	return lk
}

// jobName is a job ID unique to the test, so tests never share a lock.
func jobName(t testing.TB) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
}
