package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tend-run/tend/status"
)

// /metrics, written without client_golang, parses with Prometheus's own
// text parser: a check name with a quote, a backslash and a newline comes
// back unchanged, counters are counters, and the content type is the text
// format's.
func TestMetricsParseWithPrometheusParser(t *testing.T) {
	name := "GET /h \"q\" \\ \n x"
	snap := status.Snapshot{Processes: []status.Process{{
		Name: "web.1", Type: "web", State: status.Running, Restarts: 2,
		Checks: []status.CheckState{{Type: "readiness", Name: name, Up: true, Failures: 3}},
	}}}
	srv := httptest.NewServer(Handler(func() (status.Snapshot, error) { return snap, nil }))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := expfmt.ResponseFormat(resp.Header); got.FormatType() != expfmt.TypeTextPlain {
		t.Errorf("content type %q is not the text format", resp.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	failures := fams["tend_healthcheck_failures_total"]
	if failures == nil || failures.GetType().String() != "COUNTER" {
		t.Fatalf("tend_healthcheck_failures_total: %v", failures)
	}
	m := failures.Metric[0]
	labels := map[string]string{}
	for _, l := range m.Label {
		labels[l.GetName()] = l.GetValue()
	}
	if labels["check"] != name || labels["process"] != "web.1" || m.GetCounter().GetValue() != 3 {
		t.Errorf("sample %v, want check %q of web.1 at 3", m, name)
	}
	if up := fams["tend_process_up"]; up == nil || up.GetType().String() != "GAUGE" || up.Metric[0].GetGauge().GetValue() != 1 {
		t.Errorf("tend_process_up: %v", up)
	}
}
