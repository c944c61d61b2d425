package dblock

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlBackend keeps locks as GET_LOCK user locks (MySQL 5.7+, MariaDB
// 10.0.2+: a session may hold several, each freed when it ends).
type mysqlBackend struct {
	db *sql.DB
}

// mysqlConfig turns Dokku's mysql://USER:PASSWORD@HOST:PORT/DB?PARAMS into
// go-sql-driver's config; the parameters are the driver's (tls, …).
func mysqlConfig(p parsedURL, appName string) (*mysql.Config, error) {
	host := p.host
	if host == "" {
		host = "127.0.0.1:3306"
	} else if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "3306")
	}
	// The DSN parsed here has no credentials: its errors cannot show them.
	cfg, err := mysql.ParseDSN("tcp(" + host + ")/?" + p.rawQuery)
	if err != nil {
		return nil, err
	}
	cfg.User, cfg.Passwd, cfg.DBName = p.user, p.password, p.db
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	// The driver logs to stderr by default: its errors reach the caller.
	cfg.Logger = discardLogger{}
	// One round trip per statement (no server-side prepare).
	cfg.InterpolateParams = true
	// Shown in performance_schema.session_connect_attrs, where enabled.
	if cfg.ConnectionAttributes == "" {
		cfg.ConnectionAttributes = "program_name:" + appName
	}
	return cfg, nil
}

func newMySQL(p parsedURL, appName string) (*mysqlBackend, error) {
	cfg, err := mysqlConfig(p, appName)
	if err != nil {
		return nil, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	// Each lock has its own connection, closed when it is released: a
	// pooled connection could carry a lock to the next user.
	db.SetMaxIdleConns(-1)
	return &mysqlBackend{db: db}, nil
}

func (b *mysqlBackend) close() { b.db.Close() }

// myUnavailable marks err as the database being out of reach; an error
// the server answered with is passed as it is, unless it is about access
// or connections (1040 too many connections, 1045 access denied, 1129
// host blocked, 1927 connection killed).
func myUnavailable(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, 1045, 1129, 1130, 1927, 1053:
		default:
			return err
		}
	}
	return unreachable{err}
}

func (b *mysqlBackend) acquire(ctx context.Context, k key) (session, error) {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return nil, myUnavailable(err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", k.name).Scan(&got); err != nil {
		discard(conn)
		return nil, myUnavailable(err)
	}
	if got.Int64 != 1 {
		held := &HeldError{Name: k.name, Holder: myHolder(ctx, conn, k)}
		conn.Close()
		return nil, held
	}
	return &mySession{conn: conn, k: k}, nil
}

// myHolder names the connection holding k: its id and client address
// from the process list (a user sees its own connections there; others
// with PROCESS), and tend's program_name where performance_schema is on.
func myHolder(ctx context.Context, conn *sql.Conn, k key) string {
	var (
		id   int64
		addr string
	)
	const q = "SELECT ID, HOST FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(?)"
	if err := conn.QueryRowContext(ctx, q, k.name).Scan(&id, &addr); err != nil {
		var idn sql.NullInt64
		if conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", k.name).Scan(&idn) != nil || !idn.Valid {
			return ""
		}
		return fmt.Sprintf("connection %d", idn.Int64)
	}
	var name string
	const attrs = "SELECT ATTR_VALUE FROM performance_schema.session_connect_attrs WHERE PROCESSLIST_ID = ? AND ATTR_NAME = 'program_name'"
	_ = conn.QueryRowContext(ctx, attrs, id).Scan(&name)
	return describeHolder(name, addr, fmt.Sprintf("connection %d", id), nil)
}

// mySQLAskStop: MySQL has no NOTIFY; a replace run waits up to its grace.
func (b *mysqlBackend) askStop(context.Context, key) (bool, error) { return false, nil }

func (b *mysqlBackend) version(ctx context.Context) (string, error) {
	var v string
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return "", myUnavailable(err)
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return "", myUnavailable(err)
	}
	return v, nil
}

// mySession is a held GET_LOCK. MySQL connections get no unsolicited
// messages, so a lost connection is noticed by the next ping.
type mySession struct {
	conn *sql.Conn
	k    key
}

func (s *mySession) idle(ctx context.Context, d time.Duration) (bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return false, nil
}

func (s *mySession) ping(ctx context.Context) error { return s.conn.PingContext(ctx) }

func (s *mySession) release(ctx context.Context) {
	// Unlock before closing, so the lock is free when Release returns.
	if _, err := s.conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", s.k.name); err != nil {
		discard(s.conn)
		return
	}
	s.conn.Close()
}

func (s *mySession) close() { discard(s.conn) }

// discard closes conn's connection for good, never back to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

type discardLogger struct{}

func (discardLogger) Print(...any) {}
