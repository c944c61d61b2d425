package dblock

import "testing"

// A suspension made through one Locker is seen by another on the same
// database (another host), for that app only; Suspend and Resume are
// idempotent, and a database where nothing was ever suspended (no table)
// reads as not suspended.
func TestSuspendInTheDatabase(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		a, b := open(t, s), open(t, s)
		job := jobName(t)
		if on, err := b.IsSuspended(job); err != nil || on {
			t.Fatalf("before Suspend: %v %v", on, err)
		}
		for range 2 {
			if err := a.Suspend(job); err != nil {
				t.Fatal(err)
			}
		}
		if !b.Suspended(job) || b.Suspended(job+"-other") {
			t.Errorf("after Suspend: %v, other job %v", b.Suspended(job), b.Suspended(job+"-other"))
		}
		other, err := Open(s.URL, "another-app")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if other.Suspended(job) {
			t.Error("another app's job with the same ID is suspended")
		}
		for range 2 {
			if err := b.Resume(job); err != nil {
				t.Fatal(err)
			}
		}
		if a.Suspended(job) {
			t.Error("suspended after Resume")
		}
	})
}

// What the check before every due run costs with --lock-url: one query on
// a connection of its own.
func BenchmarkSuspendedQuery(b *testing.B) {
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			l := open(b, tg.srv(b))
			if err := l.Suspend("bench"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if on, err := l.IsSuspended("bench"); err != nil || !on {
					b.Fatal(on, err)
				}
			}
		})
	}
}
