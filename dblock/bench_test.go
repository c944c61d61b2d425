package dblock

// Benchmarks for issue 16's numbers:
//
//	go test -run '^$' -bench . -benchtime 2000x ./dblock/
//
// AcquireRelease: one forbid Take plus Release (a new connection, the
// lock, the unlock and the close for the databases), median and p99.
// KeepAliveIdle: CPU that held, idle locks cost the client and the server.

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/cronlock"
)

func BenchmarkAcquireRelease(b *testing.B) {
	b.Run("flock", func(b *testing.B) {
		d, err := cronlock.OpenLockDir(filepath.Join(b.TempDir(), "locks"))
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		latencies(b, func() error {
			lk, err := d.Take("job", cronlock.PolicyForbid, 0, cronlock.RealClock, nil)
			lk.Release()
			return err
		})
	})
	// The same PostgreSQL over its Unix socket with trust auth: what
	// SCRAM's key stretching costs of the TCP figure.
	b.Run("postgres-socket-trust", func(b *testing.B) {
		s := postgresServer(b)
		l, err := Open("postgres://tend@/postgres?sslmode=disable&host="+s.Dir+"&port="+strconv.Itoa(s.Port), "bench")
		if err != nil {
			b.Fatal(err)
		}
		latencies(b, func() error {
			lk, err := l.Take(context.Background(), "job", cronlock.PolicyForbid, 0)
			lk.Release()
			return err
		})
	})
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			l, err := Open(tg.srv(b).URL, "bench")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			latencies(b, func() error {
				lk, err := l.Take(context.Background(), "job", cronlock.PolicyForbid, 0)
				lk.Release()
				return err
			})
		})
	}
}

// latencies runs f b.N times and reports the median and p99.
func latencies(b *testing.B, f func() error) {
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkKeepAliveIdle holds 50 locks for 20 s (b.N is ignored: run it
// with -benchtime 1x) and reports the CPU they cost, per lock and minute:
// this process (the keep-alive goroutines, the pings; less what it costs
// idle) and the server (its backends).
func BenchmarkKeepAliveIdle(b *testing.B) {
	const n, hold = 50, 20 * time.Second
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			s := tg.srv(b)
			// What this process costs holding nothing, subtracted below.
			base0 := selfCPU()
			time.Sleep(hold / 4)
			base := 4 * (selfCPU() - base0)
			l, err := Open(s.URL, "bench")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			var locks []*Lock
			for i := range n {
				lk, err := l.Take(context.Background(), "idle-"+strconv.Itoa(i), cronlock.PolicyForbid, 0)
				if err != nil {
					b.Fatal(err)
				}
				locks = append(locks, lk)
			}
			time.Sleep(time.Second) // connections settled
			self0, srv0 := selfCPU(), groupCPU(s.Pid())
			b.ResetTimer()
			time.Sleep(hold)
			b.StopTimer()
			self, srv := selfCPU()-self0-base, groupCPU(s.Pid())-srv0
			for _, lk := range locks {
				lk.Release()
			}
			perLockMinute := float64(n) * hold.Minutes()
			b.ReportMetric(float64(self.Microseconds())/perLockMinute, "client-cpu-µs/lock/min")
			b.ReportMetric(float64(srv.Microseconds())/perLockMinute, "server-cpu-µs/lock/min")
		})
	}
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// groupCPU is the CPU time of process root and its children (a server
// and its backends: PostgreSQL's each call setsid), from /proc.
func groupCPU(root int) time.Duration {
	var ticks int64
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range dirs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: state is
		// field 3, ppid 4, utime 14, stime 15.
		i := strings.LastIndexByte(string(data), ')')
		f := strings.Fields(string(data[i+1:]))
		pid := filepath.Base(filepath.Dir(p))
		if len(f) < 13 || (pid != strconv.Itoa(root) && f[1] != strconv.Itoa(root)) {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ
}
