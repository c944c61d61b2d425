package export

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

// The objects are written from tend's own small structs (k8s.io/api would
// add about 10 MB to the binary and 3.7 ms to every start: see kubernetes.go); this test holds them
// to the real types: every document decodes strictly (a misspelt or
// misplaced field fails) into k8s.io/api's Deployment or CronJob, and the
// fields that matter read back as written.
func TestKubernetesDecodesIntoTheAPITypes(t *testing.T) {
	t.Parallel()
	a, _, docs := sampleKubernetes(t)
	deployments, cronJobs := 0, 0
	for _, doc := range docs {
		switch {
		case strings.Contains(doc, "kind: Deployment"):
			var d appsv1.Deployment
			if err := yaml.UnmarshalStrict([]byte(doc), &d); err != nil {
				t.Fatalf("not an apps/v1 Deployment: %v\n%s", err, doc)
			}
			deployments++
			c := d.Spec.Template.Spec.Containers[0]
			if d.Spec.Replicas == nil || c.Image != a.Image || len(c.Command) == 0 || c.Command[0] != "tend" ||
				len(c.EnvFrom) != 2 || d.Spec.Template.Spec.TerminationGracePeriodSeconds == nil {
				t.Errorf("deployment %s: %+v", d.Name, d.Spec)
			}
			if d.Name == "shop-web" && (c.StartupProbe == nil || c.StartupProbe.HTTPGet == nil || c.StartupProbe.HTTPGet.Port.IntValue() != 5000 ||
				c.LivenessProbe == nil || c.LivenessProbe.TCPSocket == nil || c.ReadinessProbe == nil || c.ReadinessProbe.Exec == nil ||
				d.Spec.MinReadySeconds != 10) {
				t.Errorf("web's probes: %+v %+v %+v", c.StartupProbe, c.LivenessProbe, c.ReadinessProbe)
			}
			if d.Spec.Selector.MatchLabels["app.kubernetes.io/component"] != d.Spec.Template.Labels["app.kubernetes.io/component"] {
				t.Errorf("deployment %s: the selector does not match the pod's labels", d.Name)
			}
		case strings.Contains(doc, "kind: CronJob"):
			var j batchv1.CronJob
			if err := yaml.UnmarshalStrict([]byte(doc), &j); err != nil {
				t.Fatalf("not a batch/v1 CronJob: %v\n%s", err, doc)
			}
			cronJobs++
			pod := j.Spec.JobTemplate.Spec.Template.Spec
			if j.Spec.Schedule == "" || j.Spec.ConcurrencyPolicy == "" || pod.RestartPolicy != "Never" ||
				!strings.Contains(strings.Join(pod.Containers[0].Command, " "), " cron run --no-lock ") {
				t.Errorf("cron job %s: %+v", j.Name, j.Spec)
			}
		default:
			t.Errorf("a document of another kind:\n%s", doc)
		}
	}
	if deployments != 3 || cronJobs != 3 {
		t.Errorf("%d deployments and %d cron jobs, want 3 and 3", deployments, cronJobs)
	}
}
