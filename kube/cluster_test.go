package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	"sigs.k8s.io/yaml"
)

func managedCluster(t *testing.T, file string) *clusterv1.ManagedCluster {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var mc clusterv1.ManagedCluster
	if err := yaml.Unmarshal(data, &mc); err != nil {
		t.Fatal(err)
	}
	return &mc
}

func TestSummarizeClusterHealth(t *testing.T) {
	active := SummarizeCluster(managedCluster(t, "managedcluster-available.yaml"), 0)
	if active.Health != HealthActive || !active.Accepted || !active.Joined || active.Available != metav1.ConditionTrue {
		t.Errorf("available cluster: %+v", active)
	}
	if active.CPU.Capacity.Value() != 96 || active.Pods.Capacity.Value() != 330 || active.Version == "" || active.Claims["id.k8s.io"] != "cluster1" {
		t.Errorf("figures: cpu=%s pods=%s version=%q claims=%v", active.CPU.Capacity.String(), active.Pods.Capacity.String(), active.Version, active.Claims)
	}

	pending := SummarizeCluster(managedCluster(t, "managedcluster-pending.yaml"), 1)
	if pending.Health != HealthPending || !strings.Contains(pending.Reason, "not accepted") || !strings.Contains(pending.Reason, "1 registration CSR") {
		t.Errorf("pending cluster: %s: %s", pending.Health, pending.Reason)
	}

	lost := managedCluster(t, "managedcluster-available.yaml")
	for i := range lost.Status.Conditions {
		if lost.Status.Conditions[i].Type == clusterv1.ManagedClusterConditionAvailable {
			lost.Status.Conditions[i].Status = metav1.ConditionUnknown
			lost.Status.Conditions[i].Message = "Registration agent stopped updating its lease."
		}
	}
	unknown := SummarizeCluster(lost, 0)
	if unknown.Health != HealthUnknown || !strings.Contains(unknown.Reason, "stopped updating its lease") {
		t.Errorf("lease lost: %s: %s", unknown.Health, unknown.Reason)
	}

	notJoined := managedCluster(t, "managedcluster-available.yaml")
	notJoined.Status.Conditions = nil
	if got := SummarizeCluster(notJoined, 0); got.Health != HealthPending || !strings.Contains(got.Reason, "not joined") {
		t.Errorf("accepted, not joined: %s: %s", got.Health, got.Reason)
	}
}

const fleetKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: hub
  cluster: {server: "https://127.0.0.1:6443"}
- name: a
  cluster: {server: "https://127.0.0.1:7001/"}
- name: b
  cluster: {server: "https://edge-b.example:7002", certificate-authority-data: %s}
users:
- name: u
  user: {token: t}
contexts:
- {name: its1, context: {cluster: hub, user: u}}
- {name: cluster9, context: {cluster: hub, user: u}}
- {name: kind-a, context: {cluster: a, user: u}}
- {name: kind-b, context: {cluster: b, user: u}}
current-context: its1
`

func TestBindOrder(t *testing.T) {
	caPEM := managedCluster(t, "managedcluster-available.yaml").Spec.ManagedClusterClientConfigs[0].CABundle
	kc := loadWith(t, strings.Replace(fleetKubeconfig, "%s", b64(caPEM), 1))
	cases := []struct {
		name     string
		configs  []clusterv1.ClientConfig
		explicit map[string]string
		context  string
		by       string
	}{
		{"cluster9", nil, nil, "cluster9", BoundByName},
		{"cluster9", nil, map[string]string{"cluster9": "kind-a"}, "kind-a", BoundByExplicit},
		{"a", []clusterv1.ClientConfig{{URL: "https://127.0.0.1:7001"}}, nil, "kind-a", BoundByURL},
		{"b", []clusterv1.ClientConfig{{URL: "https://10.0.0.2:6443", CABundle: caPEM}}, nil, "kind-b", BoundByCA},
	}
	for _, c := range cases {
		got := kc.Bind(clusterWith(c.name, c.configs), c.explicit)
		if got.Context != c.context || got.By != c.by {
			t.Errorf("%s: bound to %q by %q (%s), want %q by %q", c.name, got.Context, got.By, got.Problem, c.context, c.by)
		}
	}
	unbound := kc.Bind(clusterWith("nowhere", []clusterv1.ClientConfig{{URL: "https://10.9.9.9"}}), nil)
	if unbound.Bound() || !strings.Contains(unbound.Problem, "--wec-context nowhere=CONTEXT") || !strings.Contains(unbound.Problem, "https://10.9.9.9") {
		t.Errorf("unbound: %+v", unbound)
	}
	if b := kc.Bind(clusterWith("x", nil), map[string]string{"x": "missing"}); b.Bound() || !strings.Contains(b.Problem, "does not have") {
		t.Errorf("explicit mapping to a missing context: %+v", b)
	}
}

// clusterWith is a ManagedCluster that registered configs.
func clusterWith(name string, configs []clusterv1.ClientConfig) *clusterv1.ManagedCluster {
	return &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: clusterv1.ManagedClusterSpec{ManagedClusterClientConfigs: configs}}
}

func b64(data []byte) string {
	js, _ := yaml.Marshal(data)
	return strings.TrimSpace(string(js))
}
