// Package k8s_test checks the Kubernetes manifests of deploy/k8s offline:
// every document decodes strictly into the upstream API types (the
// operators' resources into types that mirror theirs), and the pieces fit
// together — probes, shutdown timing, secrets, selectors, backups.
package k8s_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/fachtag/fachtag/internal/config"
)

// kinds are the resources the manifests may hold, by apiVersion/kind.
var kinds = map[string]func() any{
	"v1/Secret":                     func() any { return &corev1.Secret{} },
	"v1/ConfigMap":                  func() any { return &corev1.ConfigMap{} },
	"v1/Service":                    func() any { return &corev1.Service{} },
	"apps/v1/Deployment":            func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                  func() any { return &batchv1.Job{} },
	"policy/v1/PodDisruptionBudget": func() any { return &policyv1.PodDisruptionBudget{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
	"postgresql.cnpg.io/v1/Cluster":           func() any { return &cnpgCluster{} },
	"postgresql.cnpg.io/v1/ScheduledBackup":   func() any { return &cnpgScheduledBackup{} },
}

// manifests are the decoded documents by "kind/name".
type manifests map[string]any

var separator = regexp.MustCompile(`(?m)^---\s*$`)

func load(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	out := manifests{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range separator.Split(string(raw), -1) {
			var head struct {
				metav1.TypeMeta `json:",inline"`
				Metadata        struct{ Name string } `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				t.Fatalf("%s, document %d: %v", f, i+1, err)
			}
			if head.Kind == "" {
				continue // comments only
			}
			newObj, ok := kinds[head.APIVersion+"/"+head.Kind]
			if !ok {
				t.Errorf("%s, document %d: unexpected %s %s", f, i+1, head.APIVersion, head.Kind)
				continue
			}
			obj := newObj()
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Errorf("%s: %s %s: %v", f, head.Kind, head.Metadata.Name, err)
				continue
			}
			out[head.Kind+"/"+head.Metadata.Name] = obj
		}
	}
	return out
}

func get[T any](t *testing.T, m manifests, key string) T {
	t.Helper()
	v, ok := m[key].(T)
	if !ok {
		t.Fatalf("manifests lack %s", key)
	}
	return v
}

func TestManifestsDecodeStrictly(t *testing.T) {
	m := load(t)
	for _, want := range []string{"Deployment/fachtag", "Service/fachtag", "ConfigMap/fachtag", "Secret/fachtag",
		"PodDisruptionBudget/fachtag", "ServiceMonitor/fachtag", "Cluster/fachtag-db", "ScheduledBackup/fachtag-db-nightly"} {
		if m[want] == nil {
			t.Errorf("manifests lack %s", want)
		}
	}
}

// The ConfigMap and Secret are a configuration fachtag accepts, and the
// shutdown sequence fits into the grace period: preStop, SHUTDOWN_DELAY,
// the drain and the in-flight mails before the kubelet's SIGKILL.
func TestDeploymentConfigurationAndShutdown(t *testing.T) {
	m := load(t)
	cm := get[*corev1.ConfigMap](t, m, "ConfigMap/fachtag")
	sec := get[*corev1.Secret](t, m, "Secret/fachtag")
	for k, v := range cm.Data {
		t.Setenv(k, v)
	}
	for k, v := range sec.StringData {
		t.Setenv(k, v)
	}
	t.Setenv("DATABASE_URL", "postgresql://fachtag:x@fachtag-db-rw:5432/fachtag")
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatalf("fachtag refuses the ConfigMap: %v", err)
	}
	dep := get[*appsv1.Deployment](t, m, "Deployment/fachtag")
	pod := dep.Spec.Template.Spec
	c := container(t, pod.Containers, "fachtag")
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatal("the fachtag container has no preStop sleep")
	}
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	if preStop != cfg.ShutdownDelay {
		t.Errorf("preStop sleeps %v, SHUTDOWN_DELAY is %v: they should match", preStop, cfg.ShutdownDelay)
	}
	need := preStop + cfg.ShutdownDelay + cfg.ShutdownTimeout
	if grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second; grace <= need {
		t.Errorf("terminationGracePeriodSeconds %v, want more than preStop + SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT_SECONDS = %v", grace, need)
	}
	if port(t, c, "http") != addrPort(cfg.HTTPAddr) || port(t, c, "metrics") != addrPort(cfg.MetricsAddr) {
		t.Errorf("container ports %v do not match HTTP_ADDR %s and METRICS_ADDR %s", c.Ports, cfg.HTTPAddr, cfg.MetricsAddr)
	}
	if !strings.HasPrefix(cfg.BaseURL, "https://") {
		t.Errorf("BASE_URL %s: production runs on https (and then sends HSTS)", cfg.BaseURL)
	}
}

// Probes: started by /healthz, ready by /readyz, alive by /healthz (a
// database outage must not restart the pods); every container has
// resources; the migration runs first from the same image.
func TestDeploymentProbesResourcesAndMigration(t *testing.T) {
	m := load(t)
	dep := get[*appsv1.Deployment](t, m, "Deployment/fachtag")
	pod := dep.Spec.Template.Spec
	c := container(t, pod.Containers, "fachtag")
	for name, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		want := "/healthz"
		if name == "readiness" {
			want = "/readyz"
		}
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want || probe.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe %+v, want GET %s on port http", name, probe, want)
		}
	}
	for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
		r := c.Resources
		if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Memory().IsZero() {
			t.Errorf("container %s: resources %+v, want CPU and memory requests and a memory limit", c.Name, r)
		}
		if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("container %s: want a read-only root file system", c.Name)
		}
	}
	mig := container(t, pod.InitContainers, "migrate")
	if strings.Join(mig.Args, " ") != "migrate" || mig.Image != c.Image {
		t.Errorf("init container %v %s, want `migrate` from the image %s", mig.Args, mig.Image, c.Image)
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas < 2 {
		t.Errorf("replicas %v, want at least 2", dep.Spec.Replicas)
	}
}

// Every secret a pod reads exists: in the manifests, or as the app
// Secret the CloudNativePG operator creates for the cluster.
func TestSecretsResolve(t *testing.T) {
	m := load(t)
	cluster := get[*cnpgCluster](t, m, "Cluster/fachtag-db")
	secrets := map[string]map[string]bool{cluster.Name + "-app": {"uri": true, "username": true, "password": true}}
	for key, obj := range m {
		if s, ok := obj.(*corev1.Secret); ok {
			secrets[strings.TrimPrefix(key, "Secret/")] = keysOf(s)
		}
	}
	pod := get[*appsv1.Deployment](t, m, "Deployment/fachtag").Spec.Template.Spec
	for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
		for _, from := range c.EnvFrom {
			if from.SecretRef != nil && secrets[from.SecretRef.Name] == nil {
				t.Errorf("container %s: envFrom Secret %s does not exist", c.Name, from.SecretRef.Name)
			}
		}
		for _, e := range c.Env {
			if e.Value != "" && (strings.Contains(e.Name, "PASSWORD") || e.Name == "DATABASE_URL") {
				t.Errorf("container %s: %s in plain text, want it from a Secret", c.Name, e.Name)
			}
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			if !secrets[ref.Name][ref.Key] {
				t.Errorf("container %s: %s from Secret %s key %s, which does not exist", c.Name, e.Name, ref.Name, ref.Key)
			}
		}
	}
	b := cluster.Spec.Backup
	if b == nil || b.BarmanObjectStore == nil || b.BarmanObjectStore.S3Credentials == nil {
		t.Fatal("the cluster has no backup to object storage")
	}
	for _, ref := range []secretKeySelector{b.BarmanObjectStore.S3Credentials.AccessKeyID, b.BarmanObjectStore.S3Credentials.SecretAccessKey} {
		if !secrets[ref.Name][ref.Key] {
			t.Errorf("backup credentials: Secret %s key %s does not exist", ref.Name, ref.Key)
		}
	}
}

// Selectors meet their pods, the ServiceMonitor its Service and port, the
// budget leaves a replica, and the scheduled backup names the cluster.
func TestSelectorsBudgetAndBackups(t *testing.T) {
	m := load(t)
	dep := get[*appsv1.Deployment](t, m, "Deployment/fachtag")
	podLabels := labels.Set(dep.Spec.Template.Labels)
	svc := get[*corev1.Service](t, m, "Service/fachtag")
	pdb := get[*policyv1.PodDisruptionBudget](t, m, "PodDisruptionBudget/fachtag")
	sm := get[*monitoringv1.ServiceMonitor](t, m, "ServiceMonitor/fachtag")
	matches := func(what string, sel *metav1.LabelSelector, set labels.Set) {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || s.Empty() || !s.Matches(set) {
			t.Errorf("%s selector %v does not match %v (%v)", what, sel, set, err)
		}
	}
	matches("Deployment", dep.Spec.Selector, podLabels)
	matches("PodDisruptionBudget", pdb.Spec.Selector, podLabels)
	matches("ServiceMonitor", &sm.Spec.Selector, labels.Set(svc.Labels))
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service selector %v does not match the pods %v", svc.Spec.Selector, podLabels)
	}
	ports := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		ports[p.Name] = true
	}
	if len(sm.Spec.Endpoints) != 1 || !ports[sm.Spec.Endpoints[0].Port] || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v, want /metrics on a port of the Service (%v)", sm.Spec.Endpoints, ports)
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() >= int(*dep.Spec.Replicas) {
		t.Errorf("PodDisruptionBudget minAvailable %v with %d replicas: a drain could never evict", pdb.Spec.MinAvailable, *dep.Spec.Replicas)
	}
	cluster := get[*cnpgCluster](t, m, "Cluster/fachtag-db")
	sb := get[*cnpgScheduledBackup](t, m, "ScheduledBackup/fachtag-db-nightly")
	if sb.Spec.Cluster.Name != cluster.Name || len(strings.Fields(sb.Spec.Schedule)) != 6 || sb.Spec.Method != "barmanObjectStore" {
		t.Errorf("ScheduledBackup %+v: want cluster %s, a six-field schedule (seconds first) and method barmanObjectStore", sb.Spec, cluster.Name)
	}
	if cluster.Spec.Instances < 2 || !strings.HasPrefix(cluster.Spec.Backup.BarmanObjectStore.DestinationPath, "s3://") {
		t.Errorf("Cluster: %d instances, backup to %q; want a replica and an s3:// destination",
			cluster.Spec.Instances, cluster.Spec.Backup.BarmanObjectStore.DestinationPath)
	}
}

func container(t *testing.T, cs []corev1.Container, name string) corev1.Container {
	t.Helper()
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s", name)
	return corev1.Container{}
}

func port(t *testing.T, c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	t.Errorf("container %s has no port %s", c.Name, name)
	return 0
}

func addrPort(addr string) int32 {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return int32(n)
}

func keysOf(s *corev1.Secret) map[string]bool {
	out := map[string]bool{}
	for k := range s.StringData {
		out[k] = true
	}
	for k := range s.Data {
		out[k] = true
	}
	return out
}
