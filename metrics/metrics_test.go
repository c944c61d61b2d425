package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tend-run/tend/status"
)

func TestHealthzAndStatus(t *testing.T) {
	state := status.Snapshot{Processes: []status.Process{{Name: "web.1", Type: "web", State: "running", Expected: true}}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return state, nil }))
	defer srv.Close()
	get := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("/healthz") != 200 || get("/status") != 200 {
		t.Error("healthy state not served as healthy")
	}
	state.Processes[0].State = "restarting"
	if get("/healthz") != 503 {
		t.Error("a process that should run but does not is healthy")
	}
	state.Processes[0].Expected = false // e.g. waiting out its back-off
	if get("/healthz") != 200 {
		t.Error("an expected pause marked unhealthy")
	}
}

func TestListenDefaultsToLoopback(t *testing.T) {
	l, err := Listen(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.Addr().String(), "127.0.0.1:") {
		t.Errorf("listening on %s", l.Addr())
	}
}
