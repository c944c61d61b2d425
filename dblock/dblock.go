// Package dblock keeps tend's cron locks in the app's own PostgreSQL or
// MySQL/MariaDB database, so tend instances on different hosts never run the
// same forbid or replace job at once (issue 16). It is the cross-host
// counterpart of cronlock.LockDir: same policies, same "held elsewhere" error.
//
// Each held lock has its own dedicated connection and a session lock on it:
// pg_try_advisory_lock(bigint) on PostgreSQL, GET_LOCK(name, 0) on MySQL and
// MariaDB. The database drops a session lock the moment its connection ends,
// so a crashed holder (kill -9, a host gone) leaves no stale lock.
//
// Keys. Both backends derive the lock from the app name and the job ID:
//
//	sum  = SHA-256("tend cron lock" NUL app NUL job)
//	PostgreSQL key      = the first 8 bytes of sum, big-endian, as a signed int64
//	PostgreSQL channel  = "tend_stop_" + hex(sum[:8])      (LISTEN/NOTIFY, replace)
//	MySQL lock name     = "tend:" + hex(sum[:8]) + ":" + app + "/" + job,
//	                      cut to 64 characters (GET_LOCK's limit)
//
// The hash makes names unique whatever the app and job contain (two apps
// sharing one database never collide); the readable tail is for a human
// reading SHOW PROCESSLIST or pg_locks and never decides equality.
//
// Liveness. A goroutine per lock checks its connection every KeepAlive
// (default 2 s; PostgreSQL: a connection the server closed is noticed at
// once, since the lock's connection is always waiting for a NOTIFY). A check
// that fails or takes longer than Timeout (3 s) counts as a lost connection:
// the lock is then taken again on a new connection, retried for up to
// Reacquire (10 s), each attempt bounded by the time left. Lost is closed
// when another holder has the lock meanwhile, or the database stays
// unreachable for that long: a run then goes on without a confirmed lock
// for at most KeepAlive + Timeout + Reacquire (15 s by default) before its
// caller is told to stop it (TestReacquireIsBounded: a partition).
//
// Credentials are never printed: Redacted masks the password, and every
// error this package returns has it masked too.
package dblock

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tend-run/tend/cronlock"
)

// ErrLocked is wrapped by the error Take returns when another holder has
// the lock; errors.As to *HeldError tells who, where the database can. It
// is cron's own, so the scheduler treats a lock held on another host as
// one held in a shared lock dir.
var ErrLocked = cronlock.ErrLocked

// ErrUnavailable is wrapped by the error Take returns when the database
// cannot be reached (connection refused, timeout, authentication failed,
// connection dropped). The caller must skip the run: never run unlocked.
// It is cron's own, so the scheduler records the skip's reason.
var ErrUnavailable = cronlock.ErrLockUnavailable

// HeldError is the ErrLocked of a lock held elsewhere.
type HeldError struct {
	// Name is the lock's name in the database (see Locker.Describe).
	Name string
	// Holder says who holds it, as far as the database can tell ("" if it
	// cannot): the holder's application_name, client address and backend.
	Holder string
}

func (e *HeldError) Error() string {
	if e.Holder == "" {
		return ErrLocked.Error()
	}
	return ErrLocked.Error() + " (" + e.Holder + ")"
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *HeldError) Unwrap() error { return ErrLocked }

// Defaults of the Locker's timing fields.
const (
	DefaultKeepAlive = 2 * time.Second
	DefaultTimeout   = 3 * time.Second
	DefaultReacquire = 10 * time.Second
)

// retryEvery is how often Take looks again for a lock a replace run waits
// for, and how often a lost lock is tried again.
const retryEvery = 100 * time.Millisecond

// askEvery is how often a waiting replace run repeats its NOTIFY, in case
// the holder was not yet listening when the first one went out.
const askEvery = time.Second

// Locker takes cron locks in one database. Its exported fields may be set
// after Open and before the first Take.
type Locker struct {
	// KeepAlive is how often a held lock's connection is checked.
	KeepAlive time.Duration
	// Timeout bounds one connection attempt, lock attempt or check.
	Timeout time.Duration
	// Reacquire is how long a lock whose connection was lost is tried
	// again before Lost is closed.
	Reacquire time.Duration
	// Logf, if set, is told of each lost connection and its outcome.
	Logf func(format string, args ...any)

	app      string
	redacted string
	secret   string
	be       backend
}

// backend is one kind of database.
type backend interface {
	// acquire opens a dedicated connection and tries the lock once,
	// without waiting: a session holding it, or an error wrapping
	// ErrLocked (a *HeldError) or ErrUnavailable.
	acquire(ctx context.Context, k key) (session, error)
	// askStop asks k's holder to stop; false where the database cannot.
	askStop(ctx context.Context, k key) (bool, error)
	// version connects and returns the server's version.
	version(ctx context.Context) (string, error)
	close()
}

// session is one held lock's connection, used by one goroutine at a time.
type session interface {
	// idle waits up to d: true when a stop request arrived, an error when
	// the connection failed meanwhile.
	idle(ctx context.Context, d time.Duration) (bool, error)
	// ping checks the connection.
	ping(ctx context.Context) error
	// release unlocks and closes; close only closes (the connection is
	// gone or going).
	release(ctx context.Context)
	close()
}

// key is a job's lock in both backends' terms.
type key struct {
	job     string
	id      int64  // PostgreSQL advisory lock key
	channel string // PostgreSQL LISTEN channel for stop requests
	name    string // MySQL GET_LOCK name
}

func makeKey(app, job string) key {
	sum := sha256.Sum256([]byte("tend cron lock\x00" + app + "\x00" + job))
	h := hex.EncodeToString(sum[:8])
	name := "tend:" + h + ":" + app + "/" + job
	if len(name) > 64 {
		name = name[:64]
		// Never cut a UTF-8 character in two.
		for len(name) > 0 && !validUTF8Tail(name) {
			name = name[:len(name)-1]
		}
	}
	return key{
		job:     job,
		id:      int64(binary.BigEndian.Uint64(sum[:8])),
		channel: "tend_stop_" + h,
		name:    name,
	}
}

func validUTF8Tail(s string) bool {
	return strings.ToValidUTF8(s, "\x00") == s
}

// Open parses a lock URL: postgres://, postgresql:// (any parameter pgx
// understands, sslmode included) or mysql://user:pass@host:port/db?params
// as Dokku's mariadb and mysql plugins export it (parameters are
// go-sql-driver/mysql's: tls, …). It does not connect; Check does. app
// names the app in every lock key, so apps sharing a database never
// collide.
func Open(rawurl, app string) (*Locker, error) {
	l := &Locker{
		KeepAlive: DefaultKeepAlive,
		Timeout:   DefaultTimeout,
		Reacquire: DefaultReacquire,
		app:       app,
	}
	p, err := parseURL(rawurl)
	if err != nil {
		return nil, err
	}
	l.redacted, l.secret = p.redacted, p.password
	switch p.scheme {
	case "postgres", "postgresql":
		l.be, err = newPostgres(rawurl, applicationName())
	case "mysql":
		l.be, err = newMySQL(p, applicationName())
	}
	if err != nil {
		return nil, fmt.Errorf("lock URL %s: %w", l.redacted, l.scrub(err))
	}
	return l, nil
}

// applicationName is what the lock's connections call themselves, so a
// held lock names its holder: "tend <host> <pid>".
func applicationName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("tend %s %d", host, os.Getpid())
}

// Redacted is the URL with its password masked.
func (l *Locker) Redacted() string { return l.redacted }

// String is Redacted.
func (l *Locker) String() string { return l.redacted }

// Describe names job's lock in the database, for `tend cron list --json`:
// "pg_advisory_lock(KEY)" or "GET_LOCK('NAME')".
func (l *Locker) Describe(job string) string {
	k := makeKey(l.app, job)
	if _, ok := l.be.(*mysqlBackend); ok {
		return fmt.Sprintf("GET_LOCK('%s')", k.name)
	}
	return fmt.Sprintf("pg_advisory_lock(%d)", k.id)
}

// Close releases the Locker's resources; locks already taken stay held
// until released.
func (l *Locker) Close() { l.be.close() }

// Check connects, takes and releases a lock, and returns the server's
// version: `tend check --connect`.
func (l *Locker) Check(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*l.Timeout)
	defer cancel()
	v, err := l.be.version(ctx)
	if err != nil {
		return "", l.wrap(err)
	}
	k := makeKey(l.app, "tend check "+applicationName())
	s, err := l.be.acquire(ctx, k)
	if err != nil {
		return v, l.wrap(err)
	}
	s.release(ctx)
	return v, nil
}

// Take takes the lock job's policy needs, with the rules of
// cronlock.LockDir.Take: allow needs none (nil, nil); forbid tries once;
// replace asks the holder to stop (PostgreSQL: NOTIFY on the holder's
// channel, repeated every second) and waits up to grace for the lock. An
// error wrapping ErrLocked if it is still held, ErrUnavailable if the
// database cannot be reached; ctx ends the wait early.
func (l *Locker) Take(ctx context.Context, job string, policy cronlock.Policy, grace time.Duration) (*Lock, error) {
	switch policy {
	case cronlock.PolicyAllow:
		return nil, nil
	case cronlock.PolicyForbid, cronlock.PolicyReplace:
	default:
		return nil, fmt.Errorf("cron lock %s: unknown concurrency policy %q", job, policy)
	}
	k := makeKey(l.app, job)
	deadline := time.Now().Add(grace)
	var asked time.Time
	for {
		s, err := l.try(ctx, k)
		if err == nil {
			return l.hold(k, s), nil
		}
		if !errors.Is(err, ErrLocked) || policy != cronlock.PolicyReplace || !time.Now().Before(deadline) {
			return nil, l.wrap(err)
		}
		if time.Since(asked) >= askEvery {
			asked = time.Now()
			actx, cancel := context.WithTimeout(ctx, l.Timeout)
			_, aerr := l.be.askStop(actx, k)
			cancel()
			if aerr != nil && !errors.Is(aerr, ErrLocked) {
				return nil, l.wrap(aerr)
			}
		}
		select {
		case <-ctx.Done():
			return nil, l.wrap(err)
		case <-time.After(retryEvery):
		}
	}
}

// try is one acquire bounded by Timeout.
func (l *Locker) try(ctx context.Context, k key) (session, error) {
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	return l.be.acquire(ctx, k)
}

func (l *Locker) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf("%s", l.scrub(fmt.Errorf(format, args...)).Error())
	}
}

// TakeRun is Take as a cronlock.Locker: stop, when closed, ends a replace's
// wait early.
func (l *Locker) TakeRun(job string, policy cronlock.Policy, grace time.Duration, _ cronlock.Clock, stop <-chan struct{}) (cronlock.Held, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	lk, err := l.Take(ctx, job, policy, grace)
	if lk == nil {
		return nil, err
	}
	return lk, err
}

var (
	_ cronlock.Locker = (*Locker)(nil)
	_ cronlock.Held   = (*Lock)(nil)
)
