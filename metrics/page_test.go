package metrics

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/status"
)

func pageServer(t *testing.T, snap status.Snapshot, page PageSources) *httptest.Server {
	t.Helper()
	src := func() (status.Snapshot, error) { return snap, nil }
	srv := httptest.NewServer(WithPage(Handler(src), src, page))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// The page and its assets are in the binary, with their types, and the
// handlers before them still answer.
func TestPageAndAssetsAreEmbedded(t *testing.T) {
	srv := pageServer(t, status.Snapshot{}, PageSources{})
	for path, want := range map[string]string{
		"/":           "text/html; charset=utf-8",
		"/ui/app.js":  "text/javascript; charset=utf-8",
		"/ui/app.css": "text/css; charset=utf-8",
	} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want || len(body) < 100 {
			t.Errorf("%s: %d %q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
	if _, body := get(t, srv.URL+"/"); !strings.Contains(body, `src="/ui/app.js"`) || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("the page loads something from elsewhere:\n%s", body)
	}
	if resp, _ := get(t, srv.URL+"/nope"); resp.StatusCode != 404 {
		t.Errorf("/nope: %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("/healthz behind the page: %d", resp.StatusCode)
	}
}

// /ui/state is the snapshot with the verdicts, the schedules in words, the
// recent runs and the memory of what runs (tend's own pid stands in for a
// process here).
func TestPageState(t *testing.T) {
	started := time.Now().Add(-time.Hour)
	snap := status.Snapshot{Pid: os.Getpid(), Started: started,
		Processes: []status.Process{
			{Name: "web.1", Type: "web", Pid: os.Getpid(), State: "running", Expected: true},
			{Name: "worker.1", Type: "worker", State: "exited", Expected: true},
		},
		Cron: []status.Job{{ID: "ab12cd34", Schedule: "0 9 * * 1-5", Command: "bin/report"}},
	}
	var runs []history.Run
	for i := range 25 {
		outcome := history.OutcomeOK
		if i%5 == 0 {
			outcome = "failed"
		}
		runs = append(runs, history.Run{Job: "ab12cd34", Started: started.Add(time.Duration(i) * time.Minute), Outcome: outcome})
	}
	srv := pageServer(t, snap, PageSources{Version: "1.2.3", Root: "/app",
		Runs:   func(job string) []history.Run { return runs },
		Output: func(name string) string { return name + " | hello\n" }})
	resp, body := get(t, srv.URL+"/ui/state")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/ui/state: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var st struct {
		Version    string            `json:"version"`
		Root       string            `json:"root"`
		Snapshot   status.Snapshot   `json:"snapshot"`
		Health     verdictJSON       `json:"health"`
		CronHealth verdictJSON       `json:"cron_health"`
		Words      map[string]string `json:"schedule_words"`
		Recent     map[string][]struct {
			Outcome string `json:"outcome"`
		} `json:"recent_runs"`
		Memory      map[string]int64 `json:"memory_bytes"`
		KeepsOutput bool             `json:"keeps_output"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != "1.2.3" || st.Root != "/app" || len(st.Snapshot.Processes) != 2 || !st.KeepsOutput {
		t.Errorf("state: %+v", st)
	}
	if st.Health.OK || st.Health.Why != "worker.1 is exited" {
		t.Errorf("health: %+v", st.Health)
	}
	if st.Words["ab12cd34"] != "at 09:00 on Mon–Fri" {
		t.Errorf("words: %q", st.Words["ab12cd34"])
	}
	if r := st.Recent["ab12cd34"]; len(r) != recentRuns || r[0].Outcome != "failed" || r[1].Outcome != history.OutcomeOK {
		t.Errorf("recent runs: the last %d wanted, got %v", recentRuns, r)
	}
	if st.Memory["web.1"] <= 0 || st.Memory["worker.1"] != 0 {
		t.Errorf("memory: %v", st.Memory)
	}
	if _, body := get(t, srv.URL+"/ui/output?name=web.1"); body != "web.1 | hello\n" {
		t.Errorf("output: %q", body)
	}
}
