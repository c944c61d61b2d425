package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/tend-run/tend/app"
	"github.com/tend-run/tend/cron"
	"github.com/tend-run/tend/dblock"
)

// lockURLFlag names the database whose locks replace the lock dir.
const lockURLFlag = "lock-url"

// lockApp names the app in database lock keys: --app-name, else the app
// root's directory name (two apps sharing a database must differ in one).
func lockApp(a *app.App) string {
	if a.AppName != "" {
		return a.AppName
	}
	return filepath.Base(a.Root)
}

// openLockURL opens --lock-url for a; nil when it is not set. logf hears
// of lost connections.
func openLockURL(s app.Settings, a *app.App, logf func(string, ...any)) (*dblock.Locker, error) {
	if s.LockURL == "" {
		return nil, nil
	}
	l, err := dblock.Open(s.LockURL, lockApp(a))
	if err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("--lock-url: %w", err)}
	}
	l.Logf = logf
	return l, nil
}

// openLocks is the lock backend of forbid and replace runs: --lock-url's
// database when set, else the lock dir. close releases it.
func openLocks(s app.Settings, a *app.App, logf func(string, ...any)) (cron.Locker, func(), error) {
	db, err := openLockURL(s, a, logf)
	if err != nil {
		return nil, nil, err
	}
	if db != nil {
		return db, db.Close, nil
	}
	d, err := openLockDir(s, a.Root)
	if err != nil {
		return nil, nil, err
	}
	return d, d.Close, nil
}

// stopOnLockTrouble gives a run in exec mode (tend cron run, Dokku's
// DYNO=cron.N path) the stop signal when its lock is lost to another
// holder or another tend replaces it: tend's own SIGTERM, which Exec turns
// into the stop signal, -t and SIGKILL.
func stopOnLockTrouble(lock cron.Held, name string, errw io.Writer) {
	lost, asked := lock.Lost(), lock.StopRequested()
	if lost == nil && asked == nil {
		return
	}
	go func() {
		select {
		case <-lost:
			fmt.Fprintf(errw, "tend: %s: lost its lock (the database connection is gone and the lock could not be taken back): stopping the run\n", name)
		case <-asked:
			fmt.Fprintf(errw, "tend: %s: another tend replaces this run (replace): stopping it\n", name)
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
}
