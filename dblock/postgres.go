package dblock

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// postgresBackend keeps locks as session advisory locks.
type postgresBackend struct {
	cfg *pgx.ConnConfig
}

func newPostgres(rawurl, appName string) (*postgresBackend, error) {
	cfg, err := pgx.ParseConfig(rawurl)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = appName
	// One round trip per statement: each lock's connection is new, so
	// prepared statements would never be reused.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	return &postgresBackend{cfg: cfg}, nil
}

func (b *postgresBackend) close() {}

func (b *postgresBackend) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, b.cfg.Copy())
	if err != nil {
		return nil, unavailable(err)
	}
	return conn, nil
}

// unavailable marks err as the database being out of reach. A server's
// error (a permission, a syntax) is not that: the server answered.
func unavailable(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !strings.HasPrefix(pgErr.Code, "08") && !strings.HasPrefix(pgErr.Code, "57P") && !strings.HasPrefix(pgErr.Code, "28") && !strings.HasPrefix(pgErr.Code, "53") {
		return err
	}
	return unreachable{err}
}

// unreachable is an error meaning ErrUnavailable, with the driver's text.
type unreachable struct{ err error }

func (e unreachable) Error() string        { return e.err.Error() }
func (e unreachable) Unwrap() error        { return e.err }
func (e unreachable) Is(target error) bool { return target == ErrUnavailable }

func (b *postgresBackend) acquire(ctx context.Context, k key) (session, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	// Listen first: a stop request sent the moment the lock is taken is
	// not missed.
	if _, err := conn.Exec(ctx, "LISTEN "+k.channel); err != nil {
		conn.Close(ctx)
		return nil, unavailable(err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", k.id).Scan(&ok); err != nil {
		conn.Close(ctx)
		return nil, unavailable(err)
	}
	if !ok {
		held := &HeldError{Name: fmt.Sprintf("pg_advisory_lock(%d)", k.id), Holder: pgHolder(ctx, conn, k)}
		conn.Close(ctx)
		return nil, held
	}
	return &pgSession{conn: conn, k: k}, nil
}

// pgHolder names the session holding k: its application_name (tend's is
// "tend HOST PID"), client address and backend pid. "" when the server
// does not tell (pg_stat_activity shows other roles' sessions only to
// pg_read_all_stats).
func pgHolder(ctx context.Context, conn *pgx.Conn, k key) string {
	const q = `SELECT l.pid, coalesce(host(a.client_addr), ''), coalesce(a.application_name, ''), a.backend_start
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid::bigint = $1 AND l.objid::bigint = $2
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1`
	u := uint64(k.id)
	var (
		pid        int32
		addr, name string
		since      *time.Time
	)
	if err := conn.QueryRow(ctx, q, int64(u>>32), int64(u&0xffffffff)).Scan(&pid, &addr, &name, &since); err != nil {
		return ""
	}
	return describeHolder(name, addr, fmt.Sprintf("backend pid %d", pid), since)
}

func describeHolder(name, addr, conn string, since *time.Time) string {
	var b strings.Builder
	if name != "" {
		fmt.Fprintf(&b, "%q ", name)
	}
	if addr == "" {
		addr = "a local socket"
	}
	fmt.Fprintf(&b, "from %s, %s", addr, conn)
	if since != nil && !since.IsZero() {
		fmt.Fprintf(&b, ", connected %s", since.UTC().Format(time.RFC3339))
	}
	return b.String()
}

func (b *postgresBackend) askStop(ctx context.Context, k key) (bool, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", k.channel, b.cfg.RuntimeParams["application_name"]); err != nil {
		return false, unavailable(err)
	}
	return true, nil
}

func (b *postgresBackend) version(ctx context.Context) (string, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	var v string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", unavailable(err)
	}
	return v, nil
}

// pgSession is a held advisory lock. Its connection always waits for a
// NOTIFY between checks, so a connection the server closes (a restart,
// pg_terminate_backend) is noticed at once.
type pgSession struct {
	conn *pgx.Conn
	k    key
}

func (s *pgSession) idle(ctx context.Context, d time.Duration) (bool, error) {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	n, err := s.conn.WaitForNotification(wctx)
	switch {
	case err == nil:
		return n.Channel == s.k.channel, nil
	case wctx.Err() != nil && !s.conn.IsClosed():
		// Timed out (pgx keeps the connection on a timeout): time to ping.
		return false, nil
	}
	return false, err
}

func (s *pgSession) ping(ctx context.Context) error { return s.conn.Ping(ctx) }

func (s *pgSession) release(ctx context.Context) {
	// Unlock before closing: a close is asynchronous on the server, and
	// the next Take (here or elsewhere) must find the lock free.
	if _, err := s.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", s.k.id); err != nil {
		// The connection is broken: closing it frees the lock as well.
		s.conn.PgConn().Conn().Close()
	}
	s.conn.Close(ctx)
}

func (s *pgSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.conn.Close(ctx)
}
