package export

import (
	"strings"
	"testing"

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
	// A strict decode refuses a field the types do not have.
	var dep Deployment
	if err := yaml.UnmarshalStrict([]byte(strings.Replace(docs[0], "replicas:", "replica:", 1)), &dep); err == nil {
		t.Error("strict decoding accepts an unknown field")
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
	r, err := Kubernetes(a)
	if err != nil {
		t.Fatal(err)
	}
	return a, r, strings.Split(string(r.Files[0].Data), "---\n")[1:]
}
