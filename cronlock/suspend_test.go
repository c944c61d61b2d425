package cronlock

import (
	"os"
	"path/filepath"
	"testing"
)

// Suspend and Resume are idempotent files in the lock dir that a second
// LockDir on the same directory (another tend) sees at once; anything at
// the name counts as suspended, and a symlink there is never followed.
func TestSuspendFiles(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenLockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenLockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Suspended("job1") {
		t.Fatal("suspended before Suspend")
	}
	for range 2 {
		if err := a.Suspend("job1"); err != nil {
			t.Fatal(err)
		}
	}
	if !b.Suspended("job1") || b.Suspended("job2") {
		t.Errorf("after Suspend(job1): job1 %v, job2 %v", b.Suspended("job1"), b.Suspended("job2"))
	}
	fi, err := os.Stat(filepath.Join(dir, "job1.suspended"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("suspend file: %v %v", fi, err)
	}
	for range 2 {
		if err := b.Resume("job1"); err != nil {
			t.Fatal(err)
		}
	}
	if a.Suspended("job1") {
		t.Error("suspended after Resume")
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.Symlink(victim, filepath.Join(dir, "job3.suspended")); err != nil {
		t.Fatal(err)
	}
	if !a.Suspended("job3") {
		t.Error("a symlink at the name does not count as suspended")
	}
	if err := a.Suspend("job3"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(victim); err == nil {
		t.Error("Suspend followed a symlink")
	}
	if err := os.Mkdir(filepath.Join(dir, "job4.suspended"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := a.Resume("job4"); err == nil {
		t.Error("Resume removed a directory, or said nothing")
	}
}

// The check made before every due run: one fstatat.
func BenchmarkSuspendedCheck(b *testing.B) {
	d, err := OpenLockDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for b.Loop() {
		d.Suspended("9fca9889")
	}
}
