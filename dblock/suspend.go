package dblock

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// SuspendTable holds the suspended cron jobs when --lock-url is set (issue
// 16 item 5): one row per (app, job), created if missing, so a `tend cron
// suspend` on one host holds on all of them.
const SuspendTable = "tend_cron_suspended"

const (
	pgCreate = `CREATE TABLE IF NOT EXISTS ` + SuspendTable + ` (app text NOT NULL, job text NOT NULL, since timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (app, job))`
	myCreate = `CREATE TABLE IF NOT EXISTS ` + SuspendTable + ` (app VARCHAR(191) NOT NULL, job VARCHAR(191) NOT NULL, since TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (app, job))`
)

// Suspend marks job suspended for this app in the database; suspending a
// suspended job does nothing.
func (l *Locker) Suspend(job string) error { return l.setSuspended(job, true) }

// Resume removes job's suspension; resuming a job that is not suspended
// does nothing.
func (l *Locker) Resume(job string) error { return l.setSuspended(job, false) }

func (l *Locker) setSuspended(job string, on bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), l.Timeout)
	defer cancel()
	verb := map[bool]string{true: "suspend", false: "resume"}[on]
	var err error
	switch b := l.be.(type) {
	case *postgresBackend:
		err = b.setSuspended(ctx, l.app, job, on)
	case *mysqlBackend:
		err = b.setSuspended(ctx, l.app, job, on)
	}
	if err != nil {
		return fmt.Errorf("%s %s in %s (table %s): %w", verb, job, l.redacted, SuspendTable, l.scrub(err))
	}
	return nil
}

// IsSuspended says whether job is suspended for this app. A missing table
// is no suspension.
func (l *Locker) IsSuspended(job string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), l.Timeout)
	defer cancel()
	var on bool
	var err error
	switch b := l.be.(type) {
	case *postgresBackend:
		on, err = b.suspended(ctx, l.app, job)
	case *mysqlBackend:
		on, err = b.suspended(ctx, l.app, job)
	}
	if err != nil {
		return false, fmt.Errorf("read %s in %s: %w", SuspendTable, l.redacted, l.scrub(err))
	}
	return on, nil
}

// Suspended is IsSuspended for the scheduler: a database that cannot be
// read is logged and counts as no suspension (forbid and replace runs
// are skipped anyway then, since their lock cannot be taken).
func (l *Locker) Suspended(job string) bool {
	on, err := l.IsSuspended(job)
	if err != nil {
		l.logf("cron.%s: cannot tell whether it is suspended: %v", job, err)
	}
	return on
}

func (b *postgresBackend) setSuspended(ctx context.Context, app, job string, on bool) error {
	conn, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, pgCreate); err != nil {
		return err
	}
	if on {
		_, err = conn.Exec(ctx, `INSERT INTO `+SuspendTable+` (app, job) VALUES ($1, $2) ON CONFLICT DO NOTHING`, app, job)
	} else {
		_, err = conn.Exec(ctx, `DELETE FROM `+SuspendTable+` WHERE app = $1 AND job = $2`, app, job)
	}
	return err
}

func (b *postgresBackend) suspended(ctx context.Context, app, job string) (bool, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM `+SuspendTable+` WHERE app = $1 AND job = $2`, app, job).Scan(&n)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table: nothing was ever suspended
		return false, nil
	}
	return n > 0, err
}

func (b *mysqlBackend) setSuspended(ctx context.Context, app, job string, on bool) error {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return myUnavailable(err)
	}
	defer discard(conn)
	if _, err := conn.ExecContext(ctx, myCreate); err != nil {
		return err
	}
	if on {
		_, err = conn.ExecContext(ctx, `INSERT IGNORE INTO `+SuspendTable+` (app, job) VALUES (?, ?)`, app, job)
	} else {
		_, err = conn.ExecContext(ctx, `DELETE FROM `+SuspendTable+` WHERE app = ? AND job = ?`, app, job)
	}
	return err
}

func (b *mysqlBackend) suspended(ctx context.Context, app, job string) (bool, error) {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return false, myUnavailable(err)
	}
	defer discard(conn)
	var n int
	err = conn.QueryRowContext(ctx, `SELECT count(*) FROM `+SuspendTable+` WHERE app = ? AND job = ?`, app, job).Scan(&n)
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) && myErr.Number == 1146 { // no such table: nothing was ever suspended
		return false, nil
	}
	return n > 0, err
}
