package kube_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	"sigs.k8s.io/yaml"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// expectedRequests sums, from the typed API, what each node's pods ask:
// the larger of the containers' sum and the largest init container, plus
// overhead, for every bound pod that has not finished.
func expectedRequests(pods []corev1.Pod) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, p := range pods {
		if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		var cpu, mem, initCPU, initMem int64
		for _, c := range p.Spec.Containers {
			cpu += c.Resources.Requests.Cpu().MilliValue()
			mem += c.Resources.Requests.Memory().Value()
		}
		for _, c := range p.Spec.InitContainers {
			initCPU = max(initCPU, c.Resources.Requests.Cpu().MilliValue())
			initMem = max(initMem, c.Resources.Requests.Memory().Value())
		}
		sum := out[p.Spec.NodeName]
		sum[0] += max(cpu, initCPU) + p.Spec.Overhead.Cpu().MilliValue()
		sum[1] += max(mem, initMem) + p.Spec.Overhead.Memory().Value()
		out[p.Spec.NodeName] = sum
	}
	return out
}

func TestNodeCapacityEqualsTheSumsOfPodRequests(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	waitFor(t, 60*time.Second, "every WEC connected", func() error { return connected(f, s.WECNames()...) })
	for _, name := range s.WECNames() {
		cfg, _ := s.RESTConfig(name)
		cs := kubernetes.NewForConfigOrDie(cfg)
		// Pods come and go (CronJob runs): compare when they stand still
		// while the fleet is read.
		listPods := func() (map[types.UID]string, []corev1.Pod, error) {
			pods, err := cs.CoreV1().Pods("").List(t.Context(), metav1.ListOptions{})
			if err != nil {
				return nil, nil, err
			}
			versions := map[types.UID]string{}
			for _, p := range pods.Items {
				versions[p.UID] = p.ResourceVersion
			}
			return versions, pods.Items, nil
		}
		waitFor(t, 60*time.Second, name+"'s node capacity", func() error {
			before, pods, err := listPods()
			if err != nil {
				return err
			}
			nodes, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
			if err != nil {
				return err
			}
			got := f.Tree.NodeCapacity(name)
			after, _, err := listPods()
			if err != nil {
				return err
			}
			if !maps.Equal(before, after) {
				return errors.New("the pods changed while the fleet was read")
			}
			want := expectedRequests(pods)
			if len(got.Nodes) != len(nodes.Items) {
				return fmt.Errorf("%d nodes, the API lists %d", len(got.Nodes), len(nodes.Items))
			}
			busy := 0
			for i, n := range got.Nodes {
				node := nodes.Items[i]
				w := want[n.Name]
				alloc := n.Allocatable()
				if n.Name != node.Name || n.CPU != w[0] || n.Memory != w[1] ||
					alloc.CPU != node.Status.Allocatable.Cpu().MilliValue() || alloc.Memory != node.Status.Allocatable.Memory().Value() {
					return fmt.Errorf("node %s: requests %dm/%d of %dm/%d, want %dm/%d of %dm/%d", n.Name, n.CPU, n.Memory, alloc.CPU, alloc.Memory,
						w[0], w[1], node.Status.Allocatable.Cpu().MilliValue(), node.Status.Allocatable.Memory().Value())
				}
				if n.CPU > 0 {
					busy++
				}
			}
			if busy == 0 {
				return fmt.Errorf("no node of %s has requests: the sums are not tested", name)
			}
			return nil
		})
	}
}

func TestHealthCheckFindsTheSeededAsymmetry(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	waitFor(t, 60*time.Second, "every WEC connected", func() error { return connected(f, s.WECNames()...) })
	waitFor(t, 60*time.Second, "web differs on cluster2 only", func() error {
		hc := f.Tree.HealthCheck(s.WECNames(), f, false)
		find := func(ns, kind, name string) (kube.Spread, error) {
			for _, sp := range hc.Spreads {
				if sp.Namespace == ns && sp.Kind == kind && sp.Name == name {
					return sp, nil
				}
			}
			return kube.Spread{}, fmt.Errorf("%s/%s %s not in the health check", ns, kind, name)
		}
		web, err := find("shop", "Deployment", sandbox.UnhealthyOnCluster2)
		if err != nil {
			return err
		}
		if !web.Asymmetric() || web.BindingPolicy != sandbox.ShopPolicy || !slices.Equal(web.Targets, s.WECNames()) {
			return fmt.Errorf("web: asymmetric %v, policy %q → %v", web.Asymmetric(), web.BindingPolicy, web.Targets)
		}
		for cluster, o := range web.On {
			healthy := o.Status == kube.StatusReady
			if healthy != (cluster != "cluster2") {
				return fmt.Errorf("web on %s is %s %s", cluster, o.Status, o.Ready)
			}
		}
		for _, same := range [][3]string{{"payments", "Deployment", "checkout"}, {"monitoring", "DaemonSet", "node-exporter"}, {"batch", "Pod", "crashy"}} {
			sp, err := find(same[0], same[1], same[2])
			if err != nil {
				return err
			}
			if sp.Asymmetric() {
				return fmt.Errorf("%v is flagged asymmetric: %+v", same, sp.On)
			}
		}
		return nil
	})
}

// TestPendingClusterDetailAndAcceptPlan reads the pending WEC's
// registration as the clusters view does, and what accepting it would do,
// without accepting it (the end-to-end test accepts one).
func TestPendingClusterDetailAndAcceptPlan(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	d, err := f.ClusterDetail(t.Context(), s.Pending)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.CSRs) == 0 || d.CSRs[0].Requester != sandbox.BootstrapUser || d.CSRs[0].State != "Pending" ||
		!strings.HasPrefix(d.CSRs[0].Identity, "system:open-cluster-management:"+s.Pending+":") {
		t.Errorf("CSRs of %s: %+v", s.Pending, d.CSRs)
	}
	if len(d.Problems) > 0 || len(d.Timeline) < 2 || !strings.Contains(d.Timeline[0].Text, "ManagedCluster created") {
		t.Errorf("timeline %+v, problems %v", d.Timeline, d.Problems)
	}
	plan, err := f.PlanAccept(t.Context(), s.Pending)
	if err != nil || len(plan.Approve) != 1 || !plan.SetAccepted {
		t.Errorf("plan %+v, %v", plan, err)
	}
	active, err := f.ClusterDetail(t.Context(), s.WECNames()[0])
	if err != nil || active.LeaseRenewed.IsZero() || len(active.ClusterSets) == 0 {
		t.Errorf("an active WEC: lease %v, sets %v, %v", active.LeaseRenewed, active.ClusterSets, err)
	}
	if _, ok := active.Properties["clusterURL"]; active.Properties != nil && !ok {
		t.Errorf("customization properties %v", active.Properties)
	}
	if _, err := f.PlanAccept(t.Context(), "cluster9"); err == nil || !strings.Contains(err.Error(), `no ManagedCluster "cluster9"`) {
		t.Errorf("an unknown cluster: %v", err)
	}
}

func TestClusterLabelsChangeButReservedOnesAreRefused(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	name := s.WECNames()[0]
	if err := f.LabelCluster(t.Context(), name, kube.LabelChanges{Set: map[string]string{"wecs-test-tier": "gold"}}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := s.RESTConfig("its1")
	oc := clusterclient.NewForConfigOrDie(cfg)
	mc, err := oc.ClusterV1().ManagedClusters().Get(t.Context(), name, metav1.GetOptions{})
	if err != nil || mc.Labels["wecs-test-tier"] != "gold" {
		t.Fatalf("labels %v, %v", mc.Labels, err)
	}
	if err := f.LabelCluster(t.Context(), name, kube.LabelChanges{Remove: []string{"wecs-test-tier"}}); err != nil {
		t.Fatal(err)
	}
	err = f.LabelCluster(t.Context(), name, kube.LabelChanges{Set: map[string]string{"open-cluster-management.io/cluster-name": "x"}})
	if err == nil || !strings.Contains(err.Error(), "Open Cluster Management") {
		t.Errorf("a reserved label: %v", err)
	}
	mc, _ = oc.ClusterV1().ManagedClusters().Get(t.Context(), name, metav1.GetOptions{})
	if _, ok := mc.Labels["wecs-test-tier"]; ok || mc.Labels["open-cluster-management.io/cluster-name"] == "x" {
		t.Errorf("labels after the removal and the refusal: %v", mc.Labels)
	}
}

// editMeta changes the metadata of a ManagedCluster's editable text.
func editMeta(t *testing.T, text []byte, change func(meta map[string]any)) []byte {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal(text, &obj); err != nil {
		t.Fatal(err)
	}
	change(obj["metadata"].(map[string]any))
	out, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// editLabel sets a label in a ManagedCluster's editable text.
func editLabel(t *testing.T, text []byte, key, value string) []byte {
	return editMeta(t, text, func(meta map[string]any) {
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
		}
		labels[key] = value
		meta["labels"] = labels
	})
}

func TestManagedClusterEditRoundTripRefusesReservedLabelsAndStaleText(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	name := s.WECNames()[0]
	cfg, _ := s.RESTConfig("its1")
	oc := clusterclient.NewForConfigOrDie(cfg)
	t.Cleanup(func() {
		_ = f.LabelCluster(context.Background(), name, kube.LabelChanges{Remove: []string{"wecs-edit-test"}})
	})
	if p := f.CanEditClusters(t.Context()); !p.Allowed {
		t.Fatalf("the sandbox admin may not edit ManagedClusters: %s", p.Reason)
	}

	text, err := f.ManagedClusterText(t.Context(), name, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "hubAcceptsClient: true") || strings.Contains(string(text), "managedFields") || strings.Contains(string(text), "\nstatus:") {
		t.Fatalf("editable text:\n%s", text)
	}

	// A reserved label is refused before anything is sent.
	err = f.UpdateManagedCluster(t.Context(), name, text, editLabel(t, text, "open-cluster-management.io/cluster-name", "elsewhere"))
	if err == nil || !strings.Contains(err.Error(), "Open Cluster Management") {
		t.Fatalf("a reserved label change: %v", err)
	}

	// An allowed label is saved, even when the agent has written the
	// cluster's status since the text was read.
	if err := f.UpdateManagedCluster(t.Context(), name, text, editLabel(t, text, "wecs-edit-test", "yes")); err != nil {
		t.Fatal(err)
	}
	mc, err := oc.ClusterV1().ManagedClusters().Get(t.Context(), name, metav1.GetOptions{})
	if err != nil || mc.Labels["wecs-edit-test"] != "yes" || mc.Labels["location-group"] != "edge" {
		t.Fatalf("labels after the edit: %v, %v", mc.Labels, err)
	}
	if _, ok := mc.Labels["open-cluster-management.io/cluster-name"]; ok || !mc.Spec.HubAcceptsClient {
		t.Fatalf("after the edit: labels %v, spec %+v", mc.Labels, mc.Spec)
	}

	// The text read before the save is stale now: a conflict.
	err = f.UpdateManagedCluster(t.Context(), name, text, editLabel(t, text, "wecs-edit-test", "stale"))
	if !apierrors.IsConflict(err) {
		t.Errorf("an edit of stale text: %v, want a conflict", err)
	}
	// Something else sets a reserved label while the user edits: not the
	// user's edit, so no refusal; but the text is stale now: a conflict.
	// (OCM's hub removes unknown addon labels at once, so a Kubernetes
	// one stands in.)
	fresh, err := f.ManagedClusterText(t.Context(), name, false)
	if err != nil {
		t.Fatal(err)
	}
	const zoneLabel = "topology.kubernetes.io/zone"
	setZone := func(ctx context.Context, value any) error {
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{zoneLabel: value}}})
		_, err := oc.ClusterV1().ManagedClusters().Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	}
	if err := setZone(t.Context(), "eu-1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = setZone(context.Background(), nil) })
	if err := f.UpdateManagedCluster(t.Context(), name, fresh, editLabel(t, fresh, "wecs-edit-test", "again")); !apierrors.IsConflict(err) {
		t.Errorf("an edit while another writer set a reserved label: %v, want a conflict", err)
	}
	// The text must still name the cluster.
	other := editMeta(t, text, func(meta map[string]any) { meta["name"] = "someone-else" })
	if err := f.UpdateManagedCluster(t.Context(), name, text, other); err == nil || !strings.Contains(err.Error(), "cannot be edited") {
		t.Errorf("a renamed text: %v", err)
	}
}
