package metrics

import (
	"bufio"
	"cmp"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// This file writes Prometheus's text exposition format (version 0.0.4)
// itself, as prometheus/client_golang's Gather and promhttp did for tend's
// constant metrics: families sorted by name, samples by their label
// values, labels by name, values as strconv 'g', a family with no samples
// left out. Linking client_golang cost every tend start, not only those
// with --metrics-addr: its package inits (and protobuf's, which reads the
// executable at init) ran before main and faulted in their pages (about
// 1 ms and 1.5 MB of resident binary).

// textContentType is what promhttp sends for the text format.
const textContentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

// desc describes a metric family.
type desc struct {
	name, help, kind string // kind: "gauge" or "counter"
	labels           []string
}

func newDesc(name, help, kind string, labels ...string) *desc {
	return &desc{name: name, help: help, kind: kind, labels: labels}
}

// sample is one line of a family: its label values, in desc.labels order.
type sample struct {
	values []string
	value  float64
}

// families collects the samples of one scrape.
type families map[*desc][]sample

func (f families) add(d *desc, value float64, labelValues ...string) {
	f[d] = append(f[d], sample{values: labelValues, value: value})
}

// serve writes the families to w in the text format.
func (f families) serve(w http.ResponseWriter) {
	w.Header().Set("Content-Type", textContentType)
	bw := bufio.NewWriter(w)
	descs := make([]*desc, 0, len(f))
	for d := range f {
		descs = append(descs, d)
	}
	slices.SortFunc(descs, func(a, b *desc) int { return cmp.Compare(a.name, b.name) })
	for _, d := range descs {
		d.write(bw, f[d])
	}
	_ = bw.Flush()
}

func (d *desc) write(w *bufio.Writer, samples []sample) {
	order := make([]int, len(d.labels)) // label indexes sorted by label name
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(d.labels[a], d.labels[b]) })
	slices.SortStableFunc(samples, func(a, b sample) int {
		for _, i := range order {
			if c := cmp.Compare(a.values[i], b.values[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	w.WriteString("# HELP " + d.name + " " + helpEscaper.Replace(d.help) + "\n")
	w.WriteString("# TYPE " + d.name + " " + d.kind + "\n")
	for _, s := range samples {
		w.WriteString(d.name)
		sep := "{"
		for _, i := range order {
			w.WriteString(sep + d.labels[i] + `="` + valueEscaper.Replace(s.values[i]) + `"`)
			sep = ","
		}
		if len(order) > 0 {
			w.WriteByte('}')
		}
		w.WriteString(" " + formatValue(s.value) + "\n")
	}
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
