package export

import (
	"strings"
	"testing"
	"time"

	"github.com/tend-run/tend/health"

	"sigs.k8s.io/yaml"
)

// The output decodes strictly (no field unknown to the types, which carry
// k8s.io/api's field names) back into the objects, field by field.
func TestKubernetes(t *testing.T) {
	t.Parallel()
	a, r, docs := sampleKubernetes(t)
	out := string(r.Files[0].Data)
	if len(docs) != 6 { // 3 types, 3 cron entries (@every left out)
		t.Fatalf("%d documents:\n%s", len(docs), out)
	}
	deps := map[string]Deployment{}
	for _, d := range docs[:3] {
		var dep Deployment
		if err := yaml.UnmarshalStrict([]byte(d), &dep); err != nil {
			t.Fatalf("%v\n%s", err, d)
		}
		deps[dep.Metadata.Name] = dep
	}
	web, worker, release := deps["shop-web"], deps["shop-worker"], deps["shop-release"]
	if web.APIVersion != "apps/v1" || web.Kind != "Deployment" || *web.Spec.Replicas != 2 || *worker.Spec.Replicas != 1 || *release.Spec.Replicas != 0 {
		t.Errorf("deployments: %+v", deps)
	}
	c := web.Spec.Template.Spec.Containers[0]
	if c.Image != a.Image || strings.Join(c.Command, " ") != "tend -t 25 -- web" || c.Ports[0].ContainerPort != 5000 ||
		*web.Spec.Template.Spec.TerminationGracePeriodSeconds != 30 {
		t.Errorf("web: %+v", web)
	}
	if c.EnvFrom[0].ConfigMapRef.Name != "shop-env" || c.EnvFrom[1].SecretRef.Name != "shop-env" {
		t.Errorf("envFrom: %+v", c.EnvFrom)
	}
	if w := worker.Spec.Template.Spec.Containers[0]; strings.Join(w.Command, " ") != "tend -t 25 --stop-signal worker=QUIT -- worker" || len(w.Ports) != 0 {
		t.Errorf("worker: %+v", w)
	}
	if web.Spec.Selector.MatchLabels["app.kubernetes.io/component"] != "web" || web.Spec.Template.Metadata.Labels["app.kubernetes.io/component"] != "web" {
		t.Errorf("labels: %+v", web)
	}
	jobs := map[string]K8sCronJob{}
	for _, d := range docs[3:] {
		var j K8sCronJob
		if err := yaml.UnmarshalStrict([]byte(d), &j); err != nil {
			t.Fatalf("%v\n%s", err, d)
		}
		jobs[j.Metadata.Name] = j
	}
	report, both, off := jobs["shop-cron-0a1b2c3d"], jobs["shop-cron-1a1b2c3d"], jobs["shop-cron-3a1b2c3d"]
	if report.Kind != "CronJob" || report.APIVersion != "batch/v1" || report.Spec.Schedule != "0 9 * * 1-5" || report.Spec.TimeZone != nil ||
		report.Spec.ConcurrencyPolicy != "Forbid" || *report.Spec.JobTemplate.Spec.ActiveDeadlineSeconds != 3600 || report.Spec.Suspend != nil {
		t.Errorf("report: %+v", report)
	}
	pod := report.Spec.JobTemplate.Spec.Template.Spec
	if pod.RestartPolicy != "Never" || strings.Join(pod.Containers[0].Command, " ") != "tend -t 25 cron run --no-lock 0a1b2c3d" {
		t.Errorf("report pod: %+v", pod)
	}
	if both.Spec.ConcurrencyPolicy != "Allow" || both.Spec.Schedule != "0 0 1,15 * 1" {
		t.Errorf("both: %+v", both)
	}
	if off.Spec.Schedule != "30 2 * * *" || off.Spec.TimeZone == nil || *off.Spec.TimeZone != "Europe/Berlin" || off.Spec.Suspend == nil || !*off.Spec.Suspend {
		t.Errorf("maintenance: %+v", off)
	}
	if !strings.Contains(out, `# cron 2a1b2c3d (bin/tick): "@every 90s" has no CronJob equivalent`) || len(r.Warnings) != 1 {
		t.Errorf("@every: %q\n%s", r.Warnings, out)
	}
	// Health checks are probes; a startup uptime is minReadySeconds.
	if web.Spec.MinReadySeconds != 10 {
		t.Errorf("minReadySeconds %d, want 10", web.Spec.MinReadySeconds)
	}
	sp, lp, rp := c.StartupProbe, c.LivenessProbe, c.ReadinessProbe
	if sp == nil || sp.HTTPGet == nil || sp.HTTPGet.Path != "/health" || sp.HTTPGet.Port != 5000 || sp.HTTPGet.Scheme != "HTTPS" ||
		sp.HTTPGet.HTTPHeaders[0] != (HTTPHeader{"Host", "shop.example"}) || sp.FailureThreshold != 5 || sp.PeriodSeconds != 2 ||
		sp.TimeoutSeconds != 3 || sp.InitialDelaySeconds != 1 {
		t.Errorf("startup probe %+v", sp)
	}
	if lp == nil || lp.TCPSocket == nil || lp.TCPSocket.Port != 5000 || lp.FailureThreshold != 3 {
		t.Errorf("liveness probe %+v", lp)
	}
	if rp == nil || rp.Exec == nil || strings.Join(rp.Exec.Command, " ") != "bin/ready --quick" || rp.PeriodSeconds != 10 || rp.FailureThreshold != 2 {
		t.Errorf("readiness probe %+v", rp)
	}
	if wp := worker.Spec.Template.Spec.Containers[0].LivenessProbe; wp == nil || wp.HTTPGet == nil || wp.HTTPGet.Port != 5000 {
		t.Errorf("worker's liveness probe %+v: a type without PORT is checked on Dokku's 5000", wp)
	}
	// A strict decode refuses a field the types do not have.
	var dep Deployment
	if err := yaml.UnmarshalStrict([]byte(strings.Replace(docs[0], "replicas:", "replica:", 1)), &dep); err == nil {
		t.Error("strict decoding accepts an unknown field")
	}
}

// What a probe cannot express is a comment and a warning, never dropped
// silently; systemd and supervisord, which have no health checks, say so.
func TestKubernetesChecksLeftOut(t *testing.T) {
	t.Parallel()
	a := sampleApp(t)
	a.Image = "x"
	a.Cron = nil
	a.Types = []Type{{Name: "web", Ports: []int{5000}, Checks: []health.Check{
		{Type: health.Liveness, Kind: health.HTTP, Path: "/", Content: "ok", Attempts: 3, Wait: 5 * time.Second, Timeout: 5 * time.Second},
		{Type: health.Liveness, Kind: health.Listening, Attempts: 3, Wait: 5 * time.Second, Timeout: 5 * time.Second},
		{Type: health.Readiness, Kind: health.Uptime, Uptime: 5 * time.Second},
		{Type: health.Startup, Name: "smoke", Kind: health.Command, Command: []string{"true"}, Warn: true},
	}}}
	r, err := Kubernetes(a)
	if err != nil {
		t.Fatal(err)
	}
	out := string(r.Files[0].Data)
	for _, want := range []string{
		"Kubernetes checks the status only, not the content",
		"a container has one liveness probe and it is taken by the first: left out",
		"an uptime check is only a startup check (minReadySeconds): left out",
		`health check "smoke": warn-only checks have no Kubernetes equivalent: left out`,
	} {
		if !strings.Contains(strings.Join(r.Warnings, "\n"), want) {
			t.Errorf("warnings lack %q: %q", want, r.Warnings)
		}
	}
	if n := strings.Count(out, "# web: health check "); n != 4 {
		t.Errorf("%d comments on checks, want 4:\n%s", n, out)
	}
	for _, export := range []func(App) (Result, error){Systemd, Supervisord} {
		r, err := export(a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(r.Warnings, "\n"), "web: 4 health checks left out") ||
			!strings.Contains(string(r.Files[0].Data), "web: 4 health checks from app.json are not exported") {
			t.Errorf("warnings %q\n%s", r.Warnings, r.Files[0].Data)
		}
	}
}

func TestKubernetesNames(t *testing.T) {
	t.Parallel()
	a := sampleApp(t)
	a.Image = "x"
	a.Types = append(a.Types, Type{Name: "Web"})
	if _, err := Kubernetes(a); err == nil || !strings.Contains(err.Error(), `types "web" and "Web" both become the Kubernetes name "shop-web"`) {
		t.Errorf("err %v", err)
	}
	a.Types = []Type{{Name: "a.b"}}
	if _, err := Kubernetes(a); err == nil || !strings.Contains(err.Error(), "is not a Kubernetes name") {
		t.Errorf("err %v", err)
	}
	a.Image = ""
	if _, err := Kubernetes(a); err == nil || !strings.Contains(err.Error(), "--image") {
		t.Errorf("err %v", err)
	}
}

// sampleKubernetes exports the sample app with an image and splits the
// YAML into its documents.
func sampleKubernetes(t *testing.T) (App, Result, []string) {
	t.Helper()
	a := sampleApp(t)
	a.Image = "registry.example/shop:1"
	a.Types[0].Checks = []health.Check{
		{Type: health.Startup, Kind: health.HTTP, Path: "/health", Scheme: "https", Headers: []health.Header{{Name: "Host", Value: "shop.example"}},
			Attempts: 5, Wait: 2 * time.Second, Timeout: 3 * time.Second, InitialDelay: time.Second},
		{Type: health.Startup, Kind: health.Uptime, Uptime: 10 * time.Second},
		{Type: health.Liveness, Kind: health.Listening, Attempts: 3, Wait: 5 * time.Second, Timeout: 5 * time.Second},
		{Type: health.Readiness, Kind: health.Command, Command: []string{"bin/ready", "--quick"}, Attempts: 2, Wait: 10 * time.Second, Timeout: 5 * time.Second},
	}
	a.Types[1].Checks = []health.Check{{Type: health.Liveness, Kind: health.HTTP, Path: "/", Attempts: 3, Wait: 5 * time.Second, Timeout: 5 * time.Second}}
	r, err := Kubernetes(a)
	if err != nil {
		t.Fatal(err)
	}
	return a, r, strings.Split(string(r.Files[0].Data), "---\n")[1:]
}
