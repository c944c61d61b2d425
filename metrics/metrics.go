// Package metrics serves tend's state over HTTP for monitoring: Prometheus
// metrics, the status as JSON, and two health checks.
package metrics

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/tend-run/tend/status"
)

// Source gives the current state (the supervisor's status).
type Source func() (status.Snapshot, error)

// Handler serves /metrics, /status, /healthz, /healthz/ready and
// /healthz/cron.
func Handler(src Source) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		snap, err := src()
		if err != nil { // as client_golang did: no samples
			snap = status.Snapshot{}
		}
		collect(snap).serve(w)
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		snap, err := src()
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(snap)
	})
	for path, check := range map[string]status.Check{"/healthz": status.Processes, "/healthz/ready": status.Ready, "/healthz/cron": status.Cron} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { verdict(w, src, check) })
	}
	return mux
}

func verdict(w http.ResponseWriter, src Source, check status.Check) {
	snap, err := src()
	ok, why := false, ""
	if err != nil {
		why = err.Error()
	} else {
		ok, why = snap.Healthy(check, time.Now())
	}
	if !ok {
		http.Error(w, why, http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, why)
}

// Listen checks addr: a bare ":9090" means loopback; another host must be
// named explicitly.
func Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			err = errors.New(ae.Err) // its Addr is the value, which tend does not print
		}
		return nil, fmt.Errorf("--metrics-addr: %w (want HOST:PORT or :PORT)", err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return l, nil
}

var (
	processUp       = newDesc("tend_process_up", "1 when the process is running.", "gauge", "process", "type")
	processRestarts = newDesc("tend_process_restarts_total", "Times the process was started again.", "counter", "process", "type")
	processExits    = newDesc("tend_process_exits_total", "Times the process exited.", "counter", "process", "type")
	processMemory   = newDesc("tend_process_resident_memory_bytes", "Resident memory of the process's whole process group.", "gauge", "process", "type")
	processCPU      = newDesc("tend_process_cpu_seconds_total", "User and system CPU seconds of the process's group: its living members and the leader's finished children.", "counter", "process", "type")
	processRecycles = newDesc("tend_process_recycles_total", "Times tend restarted the process on purpose, by reason (memory, age, exit0, manual, liveness).", "counter", "process", "type", "reason")
	checkUp         = newDesc("tend_healthcheck_up", "1 when the health check's last probe passed (type: startup, liveness or readiness).", "gauge", "process", "type", "check")
	checkFailures   = newDesc("tend_healthcheck_failures_total", "Probes of the health check that failed since the process started.", "counter", "process", "type", "check")
	cronRuns        = newDesc("tend_cron_runs_total", "Cron runs finished since tend started.", "counter", "job")
	cronFailures    = newDesc("tend_cron_failures_total", "Cron runs that failed since tend started.", "counter", "job")
	cronSkips       = newDesc("tend_cron_skips_total", "Cron runs skipped since tend started, by reason: policy (forbid, the previous run still going), locked (another tend holds the lock), database-unavailable (the lock database could not be reached), lock-error.", "counter", "job", "reason")
	cronRunning     = newDesc("tend_cron_running", "Runs of the job in progress.", "gauge", "job")
	cronLastDur     = newDesc("tend_cron_last_duration_seconds", "Duration of the job's last finished run.", "gauge", "job")
	cronLastSuccess = newDesc("tend_cron_last_success_timestamp_seconds", "When the job's last successful run ended (Unix time).", "gauge", "job")
	cronSuspended   = newDesc("tend_cron_suspended", "1 while the job is suspended (tend cron suspend).", "gauge", "job")
)

// recycleReasons are every reason of tend_process_recycles_total, each
// exported from 0 so that rate() sees the first recycle.
var recycleReasons = []string{"memory", "age", "exit0", "manual", "liveness"}

// collect turns a snapshot into the metric families of one scrape.
func collect(snap status.Snapshot) families {
	f := families{}
	collectProcesses(f, snap.Processes)
	collectCron(f, snap.Cron)
	return f
}

func collectProcesses(f families, processes []status.Process) {
	for _, p := range processes {
		up := 0.0
		if p.State == status.Running || p.State == status.Starting {
			up = 1
		}
		f.add(processUp, up, p.Name, p.Type)
		f.add(processRestarts, float64(p.Restarts), p.Name, p.Type)
		f.add(processExits, float64(p.Exits), p.Name, p.Type)
		if p.Memory > 0 {
			f.add(processMemory, float64(p.Memory), p.Name, p.Type)
			f.add(processCPU, p.CPU, p.Name, p.Type)
		}
		for _, reason := range recycleReasons {
			f.add(processRecycles, float64(p.Recycles[reason]), p.Name, p.Type, reason)
		}
		for _, c := range p.Checks {
			up := 0.0
			if c.Up {
				up = 1
			}
			f.add(checkUp, up, p.Name, c.Type, c.Name)
			f.add(checkFailures, float64(c.Failures), p.Name, c.Type, c.Name)
		}
	}
}

func collectCron(f families, jobs []status.Job) {
	for _, j := range jobs {
		f.add(cronRuns, float64(j.Runs), j.ID)
		f.add(cronFailures, float64(j.Failures), j.ID)
		for _, reason := range status.SkipReasons {
			f.add(cronSkips, float64(j.SkipsBy[reason]), j.ID, reason)
		}
		for reason, n := range j.SkipsBy {
			if !slices.Contains(status.SkipReasons, reason) {
				f.add(cronSkips, float64(n), j.ID, cmp.Or(reason, "unknown"))
			}
		}
		f.add(cronRunning, float64(len(j.Running)), j.ID)
		suspended := 0.0
		if j.Suspended {
			suspended = 1
		}
		f.add(cronSuspended, suspended, j.ID)
		if j.Last != nil {
			f.add(cronLastDur, j.Last.Duration.Seconds(), j.ID)
		}
		if j.LastSuccess != nil {
			f.add(cronLastSuccess, float64(j.LastSuccess.Unix()), j.ID)
		}
	}
}
