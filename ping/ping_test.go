package ping

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-run/tend/internal/testkit"
)

// recorder is a real HTTP server on 127.0.0.1 that records what it gets.
type recorder struct {
	mu   sync.Mutex
	got  []string // "METHOD PATH BODY"
	code int
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, req.Method+" "+req.URL.Path+" "+string(body))
	code := r.code
	r.mu.Unlock()
	if code != 0 {
		w.WriteHeader(code)
	}
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// Pings of one job arrive in order, POSTed to URL/start, URL and URL/3;
// a body keeps its last MaxBody bytes.
func TestPingsInOrder(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	base, err := Parse(srv.URL + "/ping/abc/")
	if err != nil {
		t.Fatal(err)
	}
	logs := &testkit.Buffer{}
	p := New(func(f string, a ...any) { logs.Write([]byte(f + "\n")) })
	p.Send("j", base, "start", nil)
	p.Send("j", base, "", []byte("all good\n"))
	p.Send("j", base, "3", []byte(strings.Repeat("x", MaxBody)+"tail"))
	p.Close(10 * time.Second)
	got := rec.requests()
	want := []string{"POST /ping/abc/start ", "POST /ping/abc/ all good\n", "POST /ping/abc/3 " + strings.Repeat("x", MaxBody-4) + "tail"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("requests: %.200q", got)
	}
	if logs.String() != "" {
		t.Errorf("logged: %s", logs)
	}
}

// A server that answers 500 gets Tries tries, then the failure is logged
// without the URL's path (its secret).
func TestPingFailureLogged(t *testing.T) {
	rec := &recorder{code: 500}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	base, _ := Parse(srv.URL + "/secret-uuid")
	var mu sync.Mutex
	var logged []string
	p := New(func(f string, a ...any) {
		mu.Lock()
		logged = append(logged, strings.TrimSpace(strings.ReplaceAll(f, "%", "")))
		mu.Unlock()
	})
	p.Send("j", base, "fail", nil)
	p.Close(30 * time.Second)
	if n := len(rec.requests()); n != Tries {
		t.Errorf("%d tries, want %d", n, Tries)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) != 1 || strings.Contains(strings.Join(logged, ""), "secret") {
		t.Errorf("logged %q", logged)
	}
}

// A server that never answers holds up neither Send nor, past its grace,
// Close.
func TestPingHangingServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	base, _ := Parse(srv.URL)
	p := New(func(string, ...any) {})
	for range 3 * queueLen { // more than the queue holds: dropped, never blocking
		p.Send("j", base, "start", nil)
	}
	p.Close(10 * time.Millisecond)
}

func TestParse(t *testing.T) {
	for _, bad := range []string{"ftp://x/y", "hc-ping.com/abc", "http:///path", "://"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	u, err := Parse("https://hc-ping.com/uuid?x=1")
	if err != nil || With(u, "start") != "https://hc-ping.com/uuid/start?x=1" {
		t.Errorf("%v %v", u, err)
	}
}
