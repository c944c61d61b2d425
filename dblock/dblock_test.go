package dblock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-run/tend/cronlock"
)

func TestTwoLockersNeverBothHold(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		a, b := open(t, s), open(t, s)
		job := jobName(t)
		lk := take(t, a, job)
		_, err := b.Take(context.Background(), job, cronlock.PolicyForbid, 0)
		var held *HeldError
		if !errors.Is(err, ErrLocked) || !errors.As(err, &held) {
			t.Fatalf("second Take: %v, want ErrLocked", err)
		}
		host, _ := os.Hostname()
		if !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("held error names no address: %v", err)
		}
		if tg.name == "postgres" && !strings.Contains(err.Error(), `"tend `+host+` `) {
			t.Errorf("held error names no holder: %v", err)
		}
		t.Logf("held: %v", err)
		// Another job is another lock.
		take(t, b, job+"-other")
		lk.Release()
		lk.Release() // twice is fine
		take(t, b, job)
	})
}

// Not parallel with the other tests: its four helpers take and release
// locks as fast as they can for 3 s, and would starve the timing checks of
// the tests beside them on a small machine.
func TestTwoProcessesNeverOverlap(t *testing.T) {
	each(t, func(t *testing.T, tg target, s *server) {
		mark := filepath.Join(t.TempDir(), "running")
		var outs []string
		type proc struct {
			wait func() error
			line func() string
		}
		var procs []proc
		for range 2 {
			cmd, r := helper(t, "loop", s.URL, jobName(t), "TEND_DBLOCK_MARK="+mark, "TEND_DBLOCK_FOR=1s")
			procs = append(procs, proc{cmd.Wait, func() string { return readLine(t, r) }})
		}
		for _, p := range procs {
			line := p.line()
			outs = append(outs, line)
			if err := p.wait(); err != nil || !strings.HasPrefix(line, "held ") {
				t.Errorf("helper: %v: %s", err, line)
			}
		}
		t.Logf("helpers: %v", outs)
	})
}

func TestKill9ReleasesAtOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		job := jobName(t)
		cmd, r := helper(t, "hold", s.URL, job)
		if line := readLine(t, r); line != "locked" {
			t.Fatalf("helper: %s", line)
		}
		l := open(t, s)
		if _, err := l.Take(context.Background(), job, cronlock.PolicyForbid, 0); !errors.Is(err, ErrLocked) {
			t.Fatalf("Take while the helper holds it: %v", err)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		killed := time.Now()
		for {
			lk, err := l.Take(context.Background(), job, cronlock.PolicyForbid, 0)
			if err == nil {
				t.Logf("free %v after kill -9", time.Since(killed))
				lk.Release()
				break
			}
			if !errors.Is(err, ErrLocked) {
				t.Fatal(err)
			}
			if time.Since(killed) > 2*time.Second {
				t.Fatalf("still held 2s after kill -9: %v", err)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// A lock whose connection the server ends is taken again when it is free,
// and Lost when another session took it first, within the documented
// window.
func TestConnectionKilled(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		t.Run("free", func(t *testing.T) {
			l := open(t, s)
			l.KeepAlive = quickKeepAlive
			job := jobName(t)
			k := makeKey("test", job)
			lk := take(t, l, job)
			before := tg.holder(t, s, k)
			tg.kill(t, s, k)
			killed := time.Now()
			for {
				if id := tg.holder(t, s, k); id != 0 && id != before {
					t.Logf("taken again %v after the kill (connection %d → %d)", time.Since(killed), before, id)
					break
				}
				if time.Since(killed) > l.KeepAlive+l.Timeout+l.Reacquire {
					t.Fatal("not taken again")
				}
				time.Sleep(20 * time.Millisecond)
			}
			select {
			case <-lk.Lost():
				t.Fatal("Lost, though the lock was taken again")
			default:
			}
			if _, err := open(t, s).Take(context.Background(), job, cronlock.PolicyForbid, 0); !errors.Is(err, ErrLocked) {
				t.Fatalf("another Locker: %v, want ErrLocked", err)
			}
		})
		t.Run("taken", func(t *testing.T) {
			l := open(t, s)
			l.KeepAlive = quickKeepAlive
			job := jobName(t)
			k := makeKey("test", job)
			lk := take(t, l, job)
			free := tg.killAndTake(t, s, k)
			defer free()
			killed := time.Now()
			select {
			case <-lk.Lost():
				t.Logf("Lost %v after the kill", time.Since(killed))
			case <-time.After(l.KeepAlive + l.Timeout + time.Second):
				t.Fatal("not Lost within KeepAlive+Timeout")
			}
		})
	})
}

// Not parallel (nor TestServerRestart): they stop the shared servers.
func TestServerDown(t *testing.T) {
	each(t, func(t *testing.T, tg target, s *server) {
		l := open(t, s)
		l.KeepAlive, l.Reacquire = quickKeepAlive, time.Second
		job := jobName(t)
		lk := take(t, l, job)
		s.Stop()
		stopped := time.Now()
		defer func() {
			if s.Pid() == 0 {
				if err := s.Start(); err != nil {
					t.Fatal(err)
				}
			}
		}()
		_, err := l.Take(context.Background(), job+"-2", cronlock.PolicyForbid, 0)
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrLocked) {
			t.Fatalf("Take with the server down: %v, want ErrUnavailable", err)
		}
		if !strings.Contains(err.Error(), l.Redacted()) || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("unclear error: %v", err)
		}
		t.Logf("server down: %v", err)
		select {
		case <-lk.Lost():
			t.Logf("Lost %v after the server stopped", time.Since(stopped))
		case <-time.After(l.KeepAlive + l.Timeout + l.Reacquire + time.Second):
			t.Fatal("not Lost while the server is down")
		}
		lk.Release()
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		take(t, l, job)
	})
}

// A server restart shorter than Reacquire costs the lock nothing.
func TestServerRestart(t *testing.T) {
	each(t, func(t *testing.T, tg target, s *server) {
		l := open(t, s)
		l.KeepAlive = quickKeepAlive
		job := jobName(t)
		lk := take(t, l, job)
		s.Stop()
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		restarted := time.Now()
		k := makeKey("test", job)
		for tg.holder(t, s, k) == 0 {
			if time.Since(restarted) > l.KeepAlive+l.Timeout+l.Reacquire {
				t.Fatal("not taken again after the restart")
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("taken again %v after the restart", time.Since(restarted))
		select {
		case <-lk.Lost():
			t.Fatal("Lost")
		default:
		}
	})
}

func TestReplacePostgres(t *testing.T) {
	t.Parallel()
	s := postgresServer(t)
	a, b := open(t, s), open(t, s)
	job := jobName(t)
	lk := take(t, a, job)
	go func() {
		<-lk.StopRequested()
		time.Sleep(100 * time.Millisecond) // the run stopping
		lk.Release()
	}()
	start := time.Now()
	lk2, err := b.Take(context.Background(), job, cronlock.PolicyReplace, 5*time.Second)
	if err != nil {
		t.Fatalf("replace: %v", err)
	}
	t.Logf("replaced in %v", time.Since(start))
	select {
	case <-lk2.StopRequested():
		t.Fatal("the new holder was asked to stop")
	default:
	}
	// A holder that does not stop keeps its lock; replace gives up after
	// its grace.
	start = time.Now()
	_, err = a.Take(context.Background(), job, cronlock.PolicyReplace, 500*time.Millisecond)
	if !errors.Is(err, ErrLocked) || time.Since(start) < 500*time.Millisecond {
		t.Fatalf("replace of a holder that does not stop: %v after %v", err, time.Since(start))
	}
	select {
	case <-lk2.StopRequested():
	case <-time.After(time.Second):
		t.Fatal("the holder was not asked to stop")
	}
	lk2.Release()
}

func TestReplaceMariaDB(t *testing.T) {
	t.Parallel()
	s := mariadbServer(t)
	a, b := open(t, s), open(t, s)
	job := jobName(t)
	lk := take(t, a, job)
	start := time.Now()
	if _, err := b.Take(context.Background(), job, cronlock.PolicyReplace, 300*time.Millisecond); !errors.Is(err, ErrLocked) || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("replace: %v after %v, want ErrLocked after the grace", err, time.Since(start))
	}
	time.AfterFunc(200*time.Millisecond, lk.Release)
	lk2, err := b.Take(context.Background(), job, cronlock.PolicyReplace, 5*time.Second)
	if err != nil {
		t.Fatalf("replace while the holder ends: %v", err)
	}
	lk2.Release()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		// An app of its own: Check's lock is per app, and
		// TestPasswordNeverInErrors checks app "test" at the same time.
		l, err := Open(s.URL, "test-check")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		v, err := l.Check(context.Background())
		if err != nil || v == "" {
			t.Fatalf("Check: %q %v", v, err)
		}
		t.Logf("version: %s", v)
	})
}

func TestPasswordNeverInErrors(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		wrong := strings.Replace(s.URL, "s3cr3t", "wrong-s3cr3t", 1)
		refused := strings.Replace(s.URL, "127.0.0.1:"+strconv.Itoa(s.Port), "127.0.0.1:1", 1)
		pws := []string{testPassword, "wrong-s3cr3t", "s3cr3t"}
		for _, u := range []string{s.URL, wrong, refused} {
			l, err := Open(u, "test")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var logged []string
			l.Logf = func(f string, a ...any) { logged = append(logged, f) }
			lk, err := l.Take(context.Background(), jobName(t), cronlock.PolicyForbid, 0)
			if err == nil {
				_, err = open(t, s).Take(context.Background(), jobName(t), cronlock.PolicyForbid, 0)
				lk.Release()
			}
			_, cerr := l.Check(context.Background())
			for _, msg := range []string{errString(err), errString(cerr), l.Redacted(), l.String()} {
				for _, pw := range pws {
					if strings.Contains(msg, pw) {
						t.Errorf("password shown: %s", msg)
					}
				}
			}
			if u == wrong && !errors.Is(err, ErrUnavailable) {
				t.Errorf("wrong password: %v, want ErrUnavailable", err)
			}
			t.Logf("%s: %v", l.Redacted(), err)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
