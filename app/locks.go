package app

import (
	"fmt"
	"path/filepath"

	"github.com/tend-run/tend/cronlock"
	"github.com/tend-run/tend/dblock"
	"github.com/tend-run/tend/privdir"
)

// LockApp names the app in database lock keys: --app-name, else the app
// root's directory name (two apps sharing a database must differ in one).
func (a *App) LockApp() string {
	if a.AppName != "" {
		return a.AppName
	}
	return filepath.Base(a.Root)
}

// OpenLockURL opens --lock-url for a; nil when it is not set. logf hears
// of lost connections.
func (s Settings) OpenLockURL(a *App, logf func(string, ...any)) (*dblock.Locker, error) {
	if s.LockURL == "" {
		return nil, nil
	}
	l, err := dblock.Open(s.LockURL, a.LockApp())
	if err != nil {
		return nil, fmt.Errorf("--lock-url: %w", err)
	}
	l.Logf = logf
	return l, nil
}

// OpenLockDir opens --lock-dir, or the private per-user directory of this
// app root, which `tend start` and `tend cron run` on one machine share.
func (s Settings) OpenLockDir(root string) (*cronlock.LockDir, error) {
	dir, err := s.LockDirPath(root)
	if err != nil {
		return nil, err
	}
	return cronlock.OpenLockDir(dir)
}

// OpenLocks is the lock backend of forbid and replace runs: --lock-url's
// database when set, else the lock dir. close releases it.
func (s Settings) OpenLocks(a *App, logf func(string, ...any)) (cronlock.Locker, func(), error) {
	db, err := s.OpenLockURL(a, logf)
	if err != nil {
		return nil, nil, err
	}
	if db != nil {
		return db, db.Close, nil
	}
	d, err := s.OpenLockDir(a.Root)
	if err != nil {
		return nil, nil, err
	}
	return d, d.Close, nil
}

// ErrorLines flattens joined errors (Load's) into one message per problem.
func ErrorLines(err error) []string {
	var lines []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		lines = append(lines, e.Error())
	}
	walk(err)
	return lines
}

// OpenSuspensions opens where the jobs' suspend state lives: with
// --lock-url the database (table dblock.SuspendTable, so a suspension holds
// on every host), else the lock dir (--lock-dir, else the private per-user
// one). nil, without error, when there is no place for the default
// directory (a read-only file system): then nothing is suspended. close
// releases it; logf hears of a database that cannot be read.
func (s Settings) OpenSuspensions(a *App, logf func(string, ...any)) (store cronlock.SuspendStore, close func(), err error) {
	db, err := s.OpenLockURL(a, logf)
	if err != nil {
		return nil, nil, err
	}
	if db != nil {
		return db, db.Close, nil
	}
	d, err := s.OpenLockDir(a.Root)
	if err != nil && s.LockDir == "" && privdir.NoPlace(err) {
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return d, d.Close, nil
}
