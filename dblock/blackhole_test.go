package dblock

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// blackhole is a TCP proxy to a real server that can be turned into a
// black hole, as in a network partition: from then on its connections
// carry nothing either way (what is sent is read and dropped) and new
// ones are accepted (the kernel completes the handshake anyway) but never
// answered.
type blackhole struct {
	url  string
	hole chan struct{}
	once sync.Once
}

func newBlackhole(t *testing.T, s *server) *blackhole {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	b := &blackhole{url: u.String(), hole: make(chan struct{})}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	keep := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	// pipe copies src to dst until the hole opens, then drops what src sends.
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			select {
			case <-b.hole:
				n = 0
			default:
			}
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			keep(c)
			select {
			case <-b.hole:
				wg.Add(1)
				go func() { defer wg.Done(); _, _ = io.Copy(io.Discard, c) }()
				continue
			default:
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			keep(up)
			wg.Add(2)
			go pipe(up, c)
			go pipe(c, up)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return b
}

// close turns the proxy into a black hole.
func (b *blackhole) close() { b.once.Do(func() { close(b.hole) }) }

// A partition (the database's address black-holes every packet): the
// lock's check times out, every attempt to take the lock again hangs, and
// Lost closes within KeepAlive + Timeout + Reacquire, the README's
// window: each attempt is bounded by the time left, so a last attempt
// started just before the deadline cannot add its Timeout.
func TestReacquireIsBounded(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg target, s *server) {
		bh := newBlackhole(t, s)
		l, err := Open(bh.url, "test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Close)
		// An attempt takes the whole Timeout (1 s); the first ends at 1 s,
		// the retry would start at 1.5 s and, unbounded, end at 2.5 s.
		l.KeepAlive, l.Timeout, l.Reacquire = 200*time.Millisecond, time.Second, 1500*time.Millisecond
		var (
			mu       sync.Mutex
			connLost time.Time
			lines    []string
		)
		l.Logf = func(format string, args ...any) {
			msg := fmt.Sprintf(format, args...)
			t.Logf("dblock: %s", msg)
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, msg)
			if strings.Contains(msg, "connection lost") && connLost.IsZero() {
				connLost = time.Now()
			}
		}
		lk := take(t, l, jobName(t))
		bh.close()
		holed := time.Now()
		select {
		case <-lk.Lost():
		case <-time.After(10 * time.Second):
			t.Fatal("not Lost 10 s into the partition")
		}
		lost := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if connLost.IsZero() {
			t.Fatalf("Lost without a lost connection: %q", lines)
		}
		reacquire, window := lost.Sub(connLost), lost.Sub(holed)
		t.Logf("partition: connection lost after %v, Lost %v later, %v in all (bound %v)", connLost.Sub(holed).Round(time.Millisecond),
			reacquire.Round(time.Millisecond), window.Round(time.Millisecond), l.KeepAlive+l.Timeout+l.Reacquire)
		if reacquire > l.Reacquire+300*time.Millisecond {
			t.Errorf("took %v to give the lock up, want at most Reacquire (%v)", reacquire, l.Reacquire)
		}
		if window > l.KeepAlive+l.Timeout+l.Reacquire+300*time.Millisecond {
			t.Errorf("a run went on for %v without a confirmed lock, want at most %v", window, l.KeepAlive+l.Timeout+l.Reacquire)
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, "not taken again within 1.5s") || strings.Contains(last, testPassword) {
			t.Errorf("last line %q", last)
		}
	})
}
