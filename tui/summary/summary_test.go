package summary

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

// fixture reads an object saved from the sandbox (kube's test data).
func fixture(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile("../../kube/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func render(t *testing.T, file string) string {
	full := fixture(t, file)
	o := kube.ToObject("cluster1", full.GroupVersionKind().GroupVersion().WithResource("pods"), full)
	lines := Lines(Input{Object: &o, Full: full, Now: o.Created.Add(time.Hour)}, theme.For(true), 80)
	return ansi.Strip(strings.Join(lines, "\n"))
}

func TestPodSummaryShowsWhatDescribeWould(t *testing.T) {
	text := render(t, "pod-running.yaml")
	for _, want := range []string{
		"Pod shop/debug-shell on cluster1", "✓ Running", "(1h ago)", "Init containers", "ghcr.io/example/migrate:1.0",
		"Containers", "DB_PASSWORD from Secret web-credentials key password", "phase       Running",
		"Conditions", "Ready", "node  ", "mount", "requests", "running for 59m · ready true · restarts 0",
		"terminated: Completed (exit 0)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	// Init containers are listed before the app containers, as they run.
	if strings.Index(text, "Init containers") > strings.Index(text, "\nContainers") {
		t.Errorf("init containers after the others:\n%s", text)
	}
}

func TestDeploymentSummaryShowsReplicasConditionsAndSelector(t *testing.T) {
	text := render(t, "deployment-notready.yaml")
	for _, want := range []string{"desired 3 · replicas 3 · updatedReplicas 3 · unavailableReplicas 3", "Available", "False", "MinimumReplicasUnavailable", "Selector", "app="} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
}

func TestClusterSummary(t *testing.T) {
	m := &kube.Member{ClusterInfo: kube.ClusterInfo{Name: "cluster2", Health: kube.HealthInactive, Reason: "lease not renewed",
		Labels: map[string]string{"location-group": "edge"}, Claims: map[string]string{"id.k8s.io": "cluster2"}},
		Binding:    kube.Binding{Context: "cluster2", By: kube.BoundByName},
		Connection: kube.Connection{State: kube.Disconnected, Err: "connection refused", NextRetry: time.Date(2026, 1, 1, 10, 0, 5, 0, time.Local)}}
	text := ansi.Strip(strings.Join(Lines(Input{Member: m, Counts: kube.Counts{Total: 3}, Now: time.Now()}, theme.For(false), 80), "\n"))
	for _, want := range []string{"ManagedCluster cluster2", "Inactive lease not renewed", "Disconnected: connection refused",
		"next retry 10:00:05", "location-group=edge", "id.k8s.io=cluster2", "objects     3"} {
		if !strings.Contains(text, want) {
			t.Errorf("cluster summary lacks %q:\n%s", want, text)
		}
	}
}

func TestAgeReadsLikeKubectl(t *testing.T) {
	now := time.Now()
	for d, want := range map[time.Duration]string{30 * time.Second: "30s", 5 * time.Minute: "5m", 5 * time.Hour: "5h", 72 * time.Hour: "3d"} {
		if got := Age(now.Add(-d), now); got != want {
			t.Errorf("Age(%s) = %q, want %q", d, got, want)
		}
	}
	if Age(time.Time{}, now) != "—" {
		t.Error("a zero time has no age")
	}
}
