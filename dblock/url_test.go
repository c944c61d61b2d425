package dblock

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tend-run/tend/cronlock"
)

func TestOpen(t *testing.T) {
	for _, c := range []struct {
		url, redacted string
	}{
		{"postgres://app:pw-123@db.example:5433/app?sslmode=require", "postgres://app:xxxxx@db.example:5433/app?sslmode=require"},
		{"postgresql://app:pw-123@db/app", "postgresql://app:xxxxx@db/app"},
		{"postgres://app@db/app?password=pw-123&sslmode=disable", "postgres://app@db/app?password=xxxxx&sslmode=disable"},
		{"mysql://mariadb:pw-123@dokku-mariadb-app:3306/app", "mysql://mariadb:xxxxx@dokku-mariadb-app:3306/app"},
		{"mysql://mariadb:pw-123@db/app?tls=skip-verify", "mysql://mariadb:xxxxx@db/app?tls=skip-verify"},
	} {
		l, err := Open(c.url, "app")
		if err != nil {
			t.Errorf("%s: %v", c.redacted, err)
			continue
		}
		if l.Redacted() != c.redacted || l.String() != c.redacted {
			t.Errorf("Redacted() = %s, want %s", l.Redacted(), c.redacted)
		}
		l.Close()
	}
}

func TestOpenPassesParameters(t *testing.T) {
	l, err := Open("postgres://u:pw@db/app?sslmode=disable&connect_timeout=7", "app")
	if err != nil {
		t.Fatal(err)
	}
	if cfg := l.be.(*postgresBackend).cfg; cfg.TLSConfig != nil || cfg.ConnectTimeout.Seconds() != 7 ||
		cfg.RuntimeParams["application_name"] != applicationName() {
		t.Errorf("pg config: tls %v, timeout %v, params %v", cfg.TLSConfig, cfg.ConnectTimeout, cfg.RuntimeParams)
	}
	p, err := parseURL("mysql://mariadb:p%40ss:w@db:3307/app?tls=skip-verify&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysqlConfig(p, "tend h 1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "mariadb" || cfg.Passwd != "p@ss:w" || cfg.Addr != "db:3307" || cfg.DBName != "app" ||
		cfg.TLSConfig != "skip-verify" || cfg.Timeout.Seconds() != 5 || cfg.Net != "tcp" {
		t.Errorf("mysql config: %+v", cfg)
	}
	p, _ = parseURL("mysql://u:pw@db/app")
	if cfg, _ := mysqlConfig(p, ""); cfg.Addr != "db:3306" {
		t.Errorf("default port: %s", cfg.Addr)
	}
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	for _, u := range []string{
		"redis://u:hunter22@db/0",
		"postgres://u:hunter22@db:port/app",
		"postgres://u:hunter22@db/app?sslmode=bogus",
		"mysql://u:hunter22@db:99999999/app",
		"mysql://u:hunter22@db/app?tls=bogus",
		"mysql://u:hunter22@db/app?timeout=never",
		"db.example:5432",
	} {
		l, err := Open(u, "app")
		if err == nil {
			l.Close()
			if !strings.HasPrefix(u, "mysql://u:hunter22@db:99") {
				t.Errorf("%s: no error", u)
			}
			continue
		}
		if strings.Contains(err.Error(), "hunter22") {
			t.Errorf("password shown: %v", err)
		}
		t.Logf("%v", err)
	}
}

func TestKeys(t *testing.T) {
	a, b := makeKey("app", "job"), makeKey("app", "job")
	if a != b {
		t.Fatal("keys differ between calls")
	}
	// The derivation is documented: a change is a change of every lock,
	// and two tends of different versions would then both run a job.
	if a.id != -5055442962267543702 || a.name != "tend:b9d7756923cb676a:app/job" || a.channel != "tend_stop_b9d7756923cb676a" {
		t.Errorf("key of app/job: %d %s %s", a.id, a.name, a.channel)
	}
	for _, k := range []key{makeKey("other", "job"), makeKey("app", "job2"), makeKey("ap", "p\x00job"), makeKey("app/job", "")} {
		if k.id == a.id || k.name == a.name {
			t.Errorf("collision: %+v and %+v", k, a)
		}
	}
	long := makeKey(strings.Repeat("é", 40), strings.Repeat("j", 100))
	if len(long.name) > 64 || !strings.HasPrefix(long.name, "tend:") || strings.ToValidUTF8(long.name, "?") != long.name {
		t.Errorf("long name %q (%d bytes)", long.name, len(long.name))
	}
	pg, _ := Open("postgres://db/x", "app")
	my, _ := Open("mysql://db/x", "app")
	if pg.Describe("job") != "pg_advisory_lock(-5055442962267543702)" || my.Describe("job") != "GET_LOCK('tend:b9d7756923cb676a:app/job')" {
		t.Errorf("Describe: %s, %s", pg.Describe("job"), my.Describe("job"))
	}
}

func TestAllowTakesNoLock(t *testing.T) {
	l, err := Open("postgres://u:pw@127.0.0.1:1/x", "app")
	if err != nil {
		t.Fatal(err)
	}
	lk, err := l.Take(context.Background(), "job", cronlock.PolicyAllow, 0)
	if lk != nil || err != nil {
		t.Fatalf("allow: %v %v", lk, err)
	}
	// A nil Lock is usable: its channels never close.
	select {
	case <-lk.Lost():
		t.Fatal("nil Lock lost")
	case <-lk.StopRequested():
		t.Fatal("nil Lock asked to stop")
	default:
	}
	lk.Release()
	if _, err := l.Take(context.Background(), "job", "sometimes", 0); err == nil {
		t.Fatal("unknown policy accepted")
	}
	// Nothing listens on port 1: unavailable, never locked.
	_, err = l.Take(context.Background(), "job", cronlock.PolicyForbid, 0)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrLocked) {
		t.Fatalf("forbid, no server: %v", err)
	}
}

// A refused connection is one line, each attempt once: pgx writes one line
// per attempt, two identical ones with sslmode=prefer (Dokku's URLs set no
// sslmode), and the skip's log line and /healthz/cron must stay one line.
func TestErrorsAreOneLine(t *testing.T) {
	for _, u := range []string{"postgres://tend:hunter22@127.0.0.1:1/app", "postgres://tend@127.0.0.1:1/app", "mysql://tend:hunter22@127.0.0.1:1/app"} {
		l, err := Open(u, "app")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		_, err = l.Take(context.Background(), "job", cronlock.PolicyForbid, 0)
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("%s: %v, want ErrUnavailable", l.Redacted(), err)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\t") || strings.Count(msg, "connection refused") != 1 || strings.Contains(msg, "hunter22") {
			t.Errorf("%s: %q", l.Redacted(), msg)
		}
		t.Logf("%s", msg)
	}
	if got := oneLine("failed to connect:\n\ta: tls refused\n\ta: bad password\n\ta: bad password"); got != "failed to connect: a: tls refused; a: bad password" {
		t.Errorf("oneLine: %q", got)
	}
}
