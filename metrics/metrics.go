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

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tend-run/tend/status"
)

// Source gives the current state (the supervisor's status).
type Source func() (status.Snapshot, error)

// Handler serves /metrics, /status, /healthz, /healthz/ready and
// /healthz/cron.
func Handler(src Source) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{src: src})
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
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
	processUp       = prometheus.NewDesc("tend_process_up", "1 when the process is running.", []string{"process", "type"}, nil)
	processRestarts = prometheus.NewDesc("tend_process_restarts_total", "Times the process was started again.", []string{"process", "type"}, nil)
	processExits    = prometheus.NewDesc("tend_process_exits_total", "Times the process exited.", []string{"process", "type"}, nil)
	processMemory   = prometheus.NewDesc("tend_process_resident_memory_bytes", "Resident memory of the process's whole process group.", []string{"process", "type"}, nil)
	processCPU      = prometheus.NewDesc("tend_process_cpu_seconds_total", "User and system CPU seconds of the process's group: its living members and the leader's finished children.", []string{"process", "type"}, nil)
	processRecycles = prometheus.NewDesc("tend_process_recycles_total", "Times tend restarted the process on purpose, by reason (memory, age, exit0, manual, liveness).", []string{"process", "type", "reason"}, nil)
	checkUp         = prometheus.NewDesc("tend_healthcheck_up", "1 when the health check's last probe passed (type: startup, liveness or readiness).", []string{"process", "type", "check"}, nil)
	checkFailures   = prometheus.NewDesc("tend_healthcheck_failures_total", "Probes of the health check that failed since the process started.", []string{"process", "type", "check"}, nil)
	cronRuns        = prometheus.NewDesc("tend_cron_runs_total", "Cron runs finished since tend started.", []string{"job"}, nil)
	cronFailures    = prometheus.NewDesc("tend_cron_failures_total", "Cron runs that failed since tend started.", []string{"job"}, nil)
	cronSkips       = prometheus.NewDesc("tend_cron_skips_total", "Cron runs skipped since tend started, by reason: policy (forbid, the previous run still going), locked (another tend holds the lock), database-unavailable (the lock database could not be reached), lock-error.", []string{"job", "reason"}, nil)
	cronRunning     = prometheus.NewDesc("tend_cron_running", "Runs of the job in progress.", []string{"job"}, nil)
	cronLastDur     = prometheus.NewDesc("tend_cron_last_duration_seconds", "Duration of the job's last finished run.", []string{"job"}, nil)
	cronLastSuccess = prometheus.NewDesc("tend_cron_last_success_timestamp_seconds", "When the job's last successful run ended (Unix time).", []string{"job"}, nil)
	cronSuspended   = prometheus.NewDesc("tend_cron_suspended", "1 while the job is suspended (tend cron suspend).", []string{"job"}, nil)
)

// recycleReasons are every reason of tend_process_recycles_total, each
// exported from 0 so that rate() sees the first recycle.
var recycleReasons = []string{"memory", "age", "exit0", "manual", "liveness"}

// collector reads a fresh snapshot on every scrape.
type collector struct{ src Source }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{processUp, processRestarts, processExits, processMemory, processCPU, processRecycles, checkUp, checkFailures, cronRuns, cronFailures, cronSkips, cronRunning, cronLastDur, cronLastSuccess, cronSuspended} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	snap, err := c.src()
	if err != nil {
		return
	}
	for _, p := range snap.Processes {
		up := 0.0
		if p.State == status.Running || p.State == status.Starting {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(processUp, prometheus.GaugeValue, up, p.Name, p.Type)
		ch <- prometheus.MustNewConstMetric(processRestarts, prometheus.CounterValue, float64(p.Restarts), p.Name, p.Type)
		ch <- prometheus.MustNewConstMetric(processExits, prometheus.CounterValue, float64(p.Exits), p.Name, p.Type)
		if p.Memory > 0 {
			ch <- prometheus.MustNewConstMetric(processMemory, prometheus.GaugeValue, float64(p.Memory), p.Name, p.Type)
			ch <- prometheus.MustNewConstMetric(processCPU, prometheus.CounterValue, p.CPU, p.Name, p.Type)
		}
		for _, reason := range recycleReasons {
			ch <- prometheus.MustNewConstMetric(processRecycles, prometheus.CounterValue, float64(p.Recycles[reason]), p.Name, p.Type, reason)
		}
		for _, c := range p.Checks {
			up := 0.0
			if c.Up {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(checkUp, prometheus.GaugeValue, up, p.Name, c.Type, c.Name)
			ch <- prometheus.MustNewConstMetric(checkFailures, prometheus.CounterValue, float64(c.Failures), p.Name, c.Type, c.Name)
		}
	}
	for _, j := range snap.Cron {
		ch <- prometheus.MustNewConstMetric(cronRuns, prometheus.CounterValue, float64(j.Runs), j.ID)
		ch <- prometheus.MustNewConstMetric(cronFailures, prometheus.CounterValue, float64(j.Failures), j.ID)
		for _, reason := range status.SkipReasons {
			ch <- prometheus.MustNewConstMetric(cronSkips, prometheus.CounterValue, float64(j.SkipsBy[reason]), j.ID, reason)
		}
		for reason, n := range j.SkipsBy {
			if !slices.Contains(status.SkipReasons, reason) {
				ch <- prometheus.MustNewConstMetric(cronSkips, prometheus.CounterValue, float64(n), j.ID, cmp.Or(reason, "unknown"))
			}
		}
		ch <- prometheus.MustNewConstMetric(cronRunning, prometheus.GaugeValue, float64(len(j.Running)), j.ID)
		suspended := 0.0
		if j.Suspended {
			suspended = 1
		}
		ch <- prometheus.MustNewConstMetric(cronSuspended, prometheus.GaugeValue, suspended, j.ID)
		if j.Last != nil {
			ch <- prometheus.MustNewConstMetric(cronLastDur, prometheus.GaugeValue, j.Last.Duration.Seconds(), j.ID)
		}
		if j.LastSuccess != nil {
			ch <- prometheus.MustNewConstMetric(cronLastSuccess, prometheus.GaugeValue, float64(j.LastSuccess.Unix()), j.ID)
		}
	}
}
