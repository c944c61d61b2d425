package metrics

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
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

// Every state the snapshot can carry (the constants of status/status.go,
// read from its source so that a state added later is caught) has an
// icon, a word and a class in the page's table of states.
func TestPageKnowsEveryState(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../status/status.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST || g.Doc == nil || !strings.Contains(g.Doc.Text(), "states of a process") {
			continue
		}
		for _, spec := range g.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				s, err := strconv.Unquote(v.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				states = append(states, s)
			}
		}
	}
	if len(states) < 8 {
		t.Fatalf("found only the states %q in status/status.go", states)
	}
	js, err := ui.ReadFile("ui/app.js")
	if err != nil {
		t.Fatal(err)
	}
	css, _ := ui.ReadFile("ui/app.css")
	entry := regexp.MustCompile(`(?m)^  ("[^"]+"): \["([^"]+)", "([^"]+)", "([a-z-]+)"\],$`)
	table := map[string][3]string{}
	for _, m := range entry.FindAllStringSubmatch(string(js), -1) {
		name, _ := strconv.Unquote(m[1])
		table[name] = [3]string{m[2], m[3], m[4]}
	}
	for _, s := range states {
		e, ok := table[s]
		if !ok {
			t.Errorf("app.js has no icon, word and class for the state %q", s)
			continue
		}
		if e[1] != s || !strings.Contains(string(css), ".state-"+e[2]+",") && !strings.Contains(string(css), ".state-"+e[2]+" ") {
			t.Errorf("state %q: word %q, class state-%s (coloured in app.css: %v)", s, e[1], e[2], strings.Contains(string(css), ".state-"+e[2]))
		}
	}
	// The states the page derives: failed, ready, not ready, a clean exit.
	for _, cls := range []string{"failed", "ready", "not-ready", "exited-ok", "unknown"} {
		if !strings.Contains(string(js), `"`+cls+`"]`) || !strings.Contains(string(css), ".state-"+cls) {
			t.Errorf("the derived state class state-%s is missing from app.js or app.css", cls)
		}
	}
}
