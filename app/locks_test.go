package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tend-run/tend/cronlock"
)

// TestOpenLocksUsesTheLockDir: without --lock-url the backend is the lock
// dir, created where --lock-dir says; a second holder of a forbid lock is
// refused.
func TestOpenLocksUsesTheLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	s := Settings{LockDir: dir}
	a := &App{Root: t.TempDir()}
	locks, closeLocks, err := s.OpenLocks(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeLocks()
	if _, ok := locks.(*cronlock.LockDir); !ok {
		t.Fatalf("backend %T, want *cronlock.LockDir", locks)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("lock dir not made: %v", err)
	}
	held, err := locks.TakeRun("job", cronlock.PolicyForbid, 0, cronlock.RealClock, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	if _, err := locks.TakeRun("job", cronlock.PolicyForbid, 0, cronlock.RealClock, nil); !errors.Is(err, cronlock.ErrLocked) {
		t.Fatalf("second forbid run: %v, want ErrLocked", err)
	}
}

func TestOpenLockURLRefusesABadURL(t *testing.T) {
	a := &App{Root: t.TempDir()}
	if db, err := (Settings{}).OpenLockURL(a, nil); db != nil || err != nil {
		t.Fatalf("no --lock-url: %v, %v", db, err)
	}
	if _, err := (Settings{LockURL: "ftp://x/y"}).OpenLockURL(a, nil); err == nil || err.Error()[:11] != "--lock-url:" {
		t.Fatalf("bad scheme: %v", err)
	}
}

func TestLockAppAndErrorLines(t *testing.T) {
	if got := (&App{Root: "/srv/shop"}).LockApp(); got != "shop" {
		t.Errorf("LockApp = %q", got)
	}
	if got := (&App{Root: "/srv/shop", AppName: "store"}).LockApp(); got != "store" {
		t.Errorf("LockApp with a name = %q", got)
	}
	err := errors.Join(errors.New("a"), errors.Join(errors.New("b"), errors.New("c")))
	if got := ErrorLines(err); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("ErrorLines = %q", got)
	}
}

// TestOpenSuspensionsAndLockDir: without --lock-url suspensions live in
// the lock dir, made where --lock-dir says; a bad --lock-url is refused.
func TestOpenSuspensionsAndLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	s := Settings{LockDir: dir}
	a := &App{Root: t.TempDir()}
	d, err := s.OpenLockDir(a.Root)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("lock dir not made: %v", err)
	}
	store, closeStore, err := s.OpenSuspensions(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if _, ok := store.(*cronlock.LockDir); !ok {
		t.Errorf("store %T, want *cronlock.LockDir", store)
	}
	if _, _, err := (Settings{LockURL: "ftp://x/y"}).OpenSuspensions(a, nil); err == nil {
		t.Error("a bad --lock-url opened")
	}
}
