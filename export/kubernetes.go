package export

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/tend-run/tend/appjson"
	"github.com/tend-run/tend/health"
	"github.com/tend-run/tend/schedule"
)

var dnsLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`) })

// objectName is APP-PART, lowercased with '_' as '-', checked as a
// DNS-1123 label of at most limit characters.
func objectName(app, part string, limit int) (string, error) {
	name := app + "-" + strings.ReplaceAll(strings.ToLower(part), "_", "-")
	if len(name) > limit || !dnsLabel().MatchString(name) {
		return "", fmt.Errorf("%q is not a Kubernetes name (1 to %d of a-z, 0-9 and '-', a letter or digit at each end): rename %q or choose a shorter --app", name, limit, part)
	}
	return name, nil
}

// Kubernetes writes one multi-document YAML file: a Deployment per type
// (replicas from the formation, tend as PID 1 in exec mode, the grace -t
// plus 5 s, web's containerPort, envFrom a ConfigMap and a Secret APP-env
// the user creates: never values from .env files, which may hold
// secrets) and a CronJob per cron entry.
func Kubernetes(a App) (Result, error) {
	var r Result
	if a.Image == "" {
		return r, fmt.Errorf("kubernetes: give the container image with --image IMAGE")
	}
	var b bytes.Buffer
	a.header(&b)
	k := kube{App: a, r: &r, envFrom: []EnvFromSource{{ConfigMapRef: &LocalRef{Name: a.Name + "-env"}}, {SecretRef: &LocalRef{Name: a.Name + "-env"}}},
		grace: seconds(a.Timeout) + 5}
	seen := map[string]string{}
	for _, t := range a.Types {
		name, err := objectName(a.Name, t.Name, 63)
		if err != nil {
			return Result{}, err
		}
		if other, dup := seen[name]; dup {
			return Result{}, fmt.Errorf("types %q and %q both become the Kubernetes name %q", other, t.Name, name)
		}
		seen[name] = t.Name
		dep, note := k.deployment(name, t)
		if err := document(&b, note, dep); err != nil {
			return Result{}, err
		}
	}
	if a.LockURL && len(a.Cron) > 0 {
		b.WriteString("# --lock-url is not needed here: each CronJob's concurrencyPolicy keeps its runs apart, so tend cron run takes no lock (--no-lock)\n")
	}
	for _, j := range a.Cron {
		if j.Schedule.AtStart() {
			fmt.Fprintf(&b, "# cron %s (%s): @reboot has no CronJob equivalent (run it in an init container or the release step): left out\n", j.ID, oneLine(j.Command))
			r.warn("cron %s: @reboot has no CronJob equivalent: left out", j.ID)
			continue
		}
		if _, every := j.Schedule.Every(); every {
			fmt.Fprintf(&b, "# cron %s (%s): %q has no CronJob equivalent: left out\n", j.ID, oneLine(j.Command), j.Schedule.Spec)
			r.warn("cron %s: %q has no CronJob equivalent: left out", j.ID, j.Schedule.Spec)
			continue
		}
		name, err := objectName(a.Name, "cron-"+j.ID, 52)
		if err != nil {
			return Result{}, err
		}
		if err := document(&b, "", k.cronJob(name, j)); err != nil {
			return Result{}, err
		}
	}
	r.Files = []File{{Name: a.Name + ".yaml", Data: b.Bytes()}}
	return r, nil
}

// kube is what every object of one Kubernetes export shares.
type kube struct {
	App
	r       *Result
	envFrom []EnvFromSource
	grace   int64
}

// document writes one YAML document, after its comment.
func document(b *bytes.Buffer, note string, v any) error {
	out, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	b.WriteString("---\n" + note)
	b.Write(out)
	return nil
}

// deployment is a type's Deployment and the comment that goes before it.
func (k kube) deployment(name string, t Type) (Deployment, string) {
	labels := map[string]string{"app.kubernetes.io/name": k.Name, "app.kubernetes.io/component": t.Name}
	replicas := int32(len(t.Ports))
	cmd := []string{"tend", "-t", strconv.FormatInt(seconds(k.Timeout), 10)}
	if t.StopSignal != 0 {
		cmd = append(cmd, "--stop-signal", t.Name+"="+strings.TrimPrefix(signalName(t.StopSignal), "SIG"))
	}
	c := Container{Name: strings.ReplaceAll(strings.ToLower(t.Name), "_", "-"), Image: k.Image,
		Command: append(cmd, "--", t.Name), EnvFrom: k.envFrom,
		Env: []EnvVar{{Name: "DYNO", Value: t.Name}}}
	if t.Name == "web" {
		port := 5000
		if len(t.Ports) > 0 {
			port = t.Ports[0]
		}
		c.Env = append(c.Env, EnvVar{Name: "PORT", Value: strconv.Itoa(port)})
		c.Ports = []ContainerPort{{Name: "http", ContainerPort: int32(port)}}
	}
	var note string
	if replicas == 0 {
		note = fmt.Sprintf("# %s: 0 in the formation: replicas 0\n", t.Name)
	}
	minReady, probeNotes := probes(&c, t, k.r)
	grace := k.grace
	return Deployment{APIVersion: "apps/v1", Kind: "Deployment", Metadata: ObjectMeta{Name: name, Labels: labels},
		Spec: DeploymentSpec{Replicas: &replicas, MinReadySeconds: minReady, Selector: LabelSelector{MatchLabels: labels},
			Template: PodTemplateSpec{Metadata: ObjectMeta{Labels: labels},
				Spec: PodSpec{TerminationGracePeriodSeconds: &grace, Containers: []Container{c}}}}}, note + probeNotes
}

// cronJob is a cron entry's CronJob.
func (k kube) cronJob(name string, j CronJob) K8sCronJob {
	labels := map[string]string{"app.kubernetes.io/name": k.Name, "app.kubernetes.io/component": "cron", "tend.run/cron-id": j.ID}
	spec := CronJobSpec{Schedule: cronSpecOnly(j.Schedule), ConcurrencyPolicy: k8sPolicy(j.Policy)}
	if k.CatchUp > 0 {
		deadline := int64(k.CatchUp / time.Second)
		spec.StartingDeadlineSeconds = &deadline
	}
	if zone := j.Schedule.Location.String(); j.Schedule.Zoned || zone != "UTC" {
		if zone == "" {
			zone = "UTC"
		}
		spec.TimeZone = &zone
	}
	if j.Maintenance {
		suspend := true
		spec.Suspend = &suspend
	}
	var deadline *int64
	if j.Timeout > 0 {
		d := seconds(j.Timeout)
		deadline = &d
	}
	noRetry, grace := int32(0), k.grace
	cmd := []string{"tend", "-t", strconv.FormatInt(seconds(k.Timeout), 10)}
	if j.StopSignal != 0 {
		cmd = append(cmd, "--stop-signal", "cron="+strings.TrimPrefix(signalName(j.StopSignal), "SIG"))
	}
	spec.JobTemplate = JobTemplateSpec{Spec: JobSpec{ActiveDeadlineSeconds: deadline, BackoffLimit: &noRetry,
		Template: PodTemplateSpec{Metadata: ObjectMeta{Labels: labels}, Spec: PodSpec{RestartPolicy: "Never", TerminationGracePeriodSeconds: &grace,
			Containers: []Container{{Name: "cron", Image: k.Image, Command: append(cmd, "cron", "run", "--no-lock", j.ID), EnvFrom: k.envFrom}}}}}}
	return K8sCronJob{APIVersion: "batch/v1", Kind: "CronJob", Metadata: ObjectMeta{Name: name, Labels: labels}, Spec: spec}
}

// probes turns a type's health checks into the container's startup,
// liveness and readiness probes (the first check of each type: a container
// has one probe of each), and a startup uptime check into the Deployment's
// minReadySeconds. What Kubernetes cannot express (content, warn-only
// checks, a second check of a type, uptime as liveness or readiness) is a
// comment and a warning.
func probes(c *Container, t Type, r *Result) (minReady int32, notes string) {
	leftOut := func(check health.Check, why string) {
		notes += fmt.Sprintf("# %s: health check %s: %s: left out\n", t.Name, check, why)
		r.warn("%s: health check %q: %s: left out", t.Name, check.Label(), why)
	}
	port := func(check health.Check) int32 {
		if check.Port != 0 {
			return int32(check.Port)
		}
		if len(c.Ports) > 0 {
			return c.Ports[0].ContainerPort
		}
		return 5000 // Dokku's default for a type without PORT
	}
	for _, check := range t.Checks {
		slot := map[health.Type]**Probe{health.Startup: &c.StartupProbe, health.Liveness: &c.LivenessProbe, health.Readiness: &c.ReadinessProbe}[check.Type]
		switch {
		case check.Warn:
			leftOut(check, "warn-only checks have no Kubernetes equivalent")
			continue
		case check.Kind == health.Uptime && check.Type == health.Startup:
			minReady = max(minReady, int32(check.Uptime/time.Second))
			continue
		case check.Kind == health.Uptime:
			leftOut(check, "an uptime check is only a startup check (minReadySeconds)")
			continue
		case *slot != nil:
			leftOut(check, "a container has one "+string(check.Type)+" probe and it is taken by the first")
			continue
		}
		p := &Probe{InitialDelaySeconds: int32(check.InitialDelay / time.Second), TimeoutSeconds: int32(check.Timeout / time.Second),
			PeriodSeconds: int32(check.Wait / time.Second), FailureThreshold: int32(check.Attempts)}
		switch check.Kind {
		case health.HTTP:
			get := &HTTPGetAction{Path: check.Path, Port: port(check), Scheme: strings.ToUpper(check.Scheme)}
			for _, h := range check.Headers {
				get.HTTPHeaders = append(get.HTTPHeaders, HTTPHeader{Name: h.Name, Value: h.Value})
			}
			p.HTTPGet = get
			if check.Content != "" {
				notes += fmt.Sprintf("# %s: health check %s: Kubernetes does not look for content in the answer\n", t.Name, check)
				r.warn("%s: health check %q: Kubernetes checks the status only, not the content", t.Name, check.Label())
			}
		case health.Listening:
			p.TCPSocket = &TCPSocketAction{Port: port(check)}
		case health.Command:
			p.Exec = &ExecAction{Command: check.Command}
		}
		*slot = p
	}
	return minReady, notes
}

// cronSpecOnly is the schedule without its CRON_TZ= prefix, which
// Kubernetes refuses in favour of timeZone.
func cronSpecOnly(s *schedule.Schedule) string {
	spec := strings.TrimSpace(s.Spec)
	if s.Zoned {
		_, spec, _ = strings.Cut(spec, " ")
	}
	return strings.Join(strings.Fields(spec), " ")
}

func k8sPolicy(p appjson.Policy) string {
	switch p {
	case appjson.PolicyForbid:
		return "Forbid"
	case appjson.PolicyReplace:
		return "Replace"
	}
	return "Allow"
}
