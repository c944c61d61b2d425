package metrics

import (
	"embed"
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tend-run/tend/history"
	"github.com/tend-run/tend/schedule"
	"github.com/tend-run/tend/status"
)

// The status page: one self-contained page (ui/, embedded) that polls
// /ui/state and draws what is running, what ran and what failed. It is
// read-only: restarting and stopping stay on the control socket, which
// checks who asks. It shows no environment values.

//go:embed ui
var ui embed.FS

// PageSources are what the page shows beyond the snapshot; nil fields are
// left out.
type PageSources struct {
	Version string
	Root    string
	// Output is the recent output of a process or cron run, by the name
	// it prints under ("web.1", "cron.ID"): its last lines in the log
	// buffer of `tend logs`, as text.
	Output func(name string) string
	// Runs are a job's recorded runs, oldest first.
	Runs func(job string) []history.Run
}

// recentRuns is how many of a job's runs the page draws as a bar.
const recentRuns = 20

// WithPage serves the status page at / and its state at /ui/state in
// front of next (the Handler).
func WithPage(next http.Handler, src Source, page PageSources) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, "ui/index.html", "text/html; charset=utf-8")
	})
	mux.HandleFunc("GET /ui/app.js", func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, "ui/app.js", "text/javascript; charset=utf-8")
	})
	mux.HandleFunc("GET /ui/app.css", func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, "ui/app.css", "text/css; charset=utf-8")
	})
	mux.HandleFunc("GET /ui/state", func(w http.ResponseWriter, r *http.Request) {
		st, err := pageState(src, page)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET /ui/output", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if page.Output == nil {
			http.Error(w, "tend keeps no output", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(page.Output(r.URL.Query().Get("name"))))
	})
	return mux
}

func serveAsset(w http.ResponseWriter, name, contentType string) {
	data, err := ui.ReadFile(name)
	if err != nil {
		http.Error(w, "missing "+name, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	_, _ = w.Write(data)
}

// verdictJSON is a health verdict as the page reads it.
type verdictJSON struct {
	OK  bool   `json:"ok"`
	Why string `json:"why"`
}

type runJSON struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	ExitCode int           `json:"exit_code"`
	Outcome  string        `json:"outcome"`
	// Reason is why a skipped run was skipped.
	Reason string `json:"reason,omitempty"`
}

type stateJSON struct {
	Now         time.Time            `json:"now"`
	Version     string               `json:"version"`
	Root        string               `json:"root"`
	Snapshot    status.Snapshot      `json:"snapshot"`
	Health      verdictJSON          `json:"health"`
	CronHealth  verdictJSON          `json:"cron_health"`
	Words       map[string]string    `json:"schedule_words"`
	Recent      map[string][]runJSON `json:"recent_runs"`
	Memory      map[string]int64     `json:"memory_bytes"` // by instance: its process group's resident memory
	KeepsOutput bool                 `json:"keeps_output"`
}

func pageState(src Source, page PageSources) (stateJSON, error) {
	snap, err := src()
	if err != nil {
		return stateJSON{}, err
	}
	now := time.Now()
	st := stateJSON{Now: now, Version: page.Version, Root: page.Root, Snapshot: snap,
		Words: map[string]string{}, Recent: map[string][]runJSON{}, Memory: map[string]int64{},
		KeepsOutput: page.Output != nil}
	st.Health.OK, st.Health.Why = snap.Healthy(status.Processes, now)
	st.CronHealth.OK, st.CronHealth.Why = snap.Healthy(status.Cron, now)
	for _, j := range snap.Cron {
		st.Words[j.ID] = schedule.Describe(j.Schedule)
		if page.Runs == nil {
			continue
		}
		runs := page.Runs(j.ID)
		runs = runs[max(len(runs)-recentRuns, 0):]
		for _, r := range runs {
			st.Recent[j.ID] = append(st.Recent[j.ID], runJSON{r.Started, r.Duration, r.ExitCode, r.Outcome, r.Reason})
		}
	}
	for _, p := range snap.Processes {
		switch {
		case p.Memory > 0: // the whole group's, measured by the supervisor
			st.Memory[p.Name] = p.Memory
		case p.Pid > 0 && (p.State == status.Running || p.State == status.Starting):
			if rss, ok := residentMemory(p.Pid); ok {
				st.Memory[p.Name] = rss
			}
		}
	}
	return st, nil
}

// residentMemory is pid's resident set size from /proc (Linux only).
func residentMemory(pid int) (int64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
