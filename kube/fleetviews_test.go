package kube

import (
	"strings"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
)

func TestAPodsNodeAndRequestTotalsAreTheSameReadTypedOrAsJSON(t *testing.T) {
	pod := fixture(t, "pod-running.yaml")
	// app 200m/256Mi + proxy 100m/128Mi; the init container (100m/64Mi) is smaller.
	want := Usage{Node: "cluster1-node-002", CPU: 300, Memory: 384 << 20}
	for name, o := range map[string]Object{"json": ToObject("c1", podGVR, pod), "typed": readAsServed(t, podGVR, pod)} {
		if o.Usage == nil || *o.Usage != want {
			t.Errorf("%s pod usage %+v, want %+v", name, o.Usage, want)
		}
	}
}

func TestInitContainersAndOverheadCountAsTheSchedulerCounts(t *testing.T) {
	container := func(cpu string) corev1.Container {
		return corev1.Container{Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}
	}
	spec := &corev1.PodSpec{
		Containers:     []corev1.Container{container("100m"), container("100m")},
		InitContainers: []corev1.Container{container("500m"), container("50m")},
		Overhead:       corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")},
	}
	if got := podRequests(spec, corev1.ResourceCPU); got != 510 {
		t.Errorf("cpu %d, want the largest init container 500m plus 10m overhead", got)
	}
	if got := podRequests(spec, corev1.ResourceMemory); got != 0 {
		t.Errorf("memory that no container requests counted %d", got)
	}
}

func node(name, ready, cpu, memory string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Node", "metadata": map[string]any{"name": name, "uid": name},
		"spec": map[string]any{"podCIDR": "10.0.0.0/24", "unschedulable": ready == "False"},
		"status": map[string]any{
			"allocatable": map[string]any{"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "100Gi"},
			"conditions": []any{
				map[string]any{"type": "MemoryPressure", "status": "False"},
				map[string]any{"type": "Ready", "status": ready, "reason": "KubeletReady", "message": "long text"},
			},
			"images": []any{map[string]any{"names": []any{"a"}}},
		},
	}}
}

var nodeGVR = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}

func TestNodesReadAsReadinessAndAllocatable(t *testing.T) {
	n := node("n1", "True", "4", "16Gi")
	for name, o := range map[string]Object{"json": ToObject("c1", nodeGVR, n), "typed": readAsServed(t, nodeGVR, n)} {
		if o.Status != StatusReady || o.Word != "Ready" || o.Usage == nil || *o.Usage != (Usage{CPU: 4000, Memory: 16 << 30, Pods: 110}) {
			t.Errorf("%s: node %s %+v", name, o.Status, o.Usage)
		}
	}
	cordoned := ToObject("c1", nodeGVR, node("n2", "False", "2", "8Gi"))
	if cordoned.Status != StatusNotReady || !cordoned.Usage.Unschedulable {
		t.Errorf("not ready, cordoned node: %s %+v", cordoned.Status, cordoned.Usage)
	}
	if unknown := ToObject("c1", nodeGVR, node("n3", "Unknown", "2", "8Gi")); unknown.Status != StatusUnknown {
		t.Errorf("node with Ready=Unknown is %s", unknown.Status)
	}
}

func podOn(cluster, node, name string, status Status, cpu, memory int64) Object {
	return Object{Cluster: cluster, Namespace: "load", Kind: "Pod", Name: name, UID: types.UID(cluster + name), Status: status,
		Usage: &Usage{Node: node, CPU: cpu, Memory: memory, Finished: status == StatusSucceeded}}
}

func TestNodeCapacitySumsTheRequestsOfPodsHoldingAPlace(t *testing.T) {
	tree := NewTree()
	tree.Upsert(ToObject("c1", nodeGVR, node("n1", "True", "4", "16Gi")))
	tree.Upsert(ToObject("c2", nodeGVR, node("n1", "True", "4", "16Gi")))
	tree.Upsert(podOn("c1", "n1", "a", StatusRunning, 500, 1<<30))
	tree.Upsert(podOn("c1", "n1", "b", StatusPending, 250, 1<<29))
	tree.Upsert(podOn("c1", "n1", "done", StatusSucceeded, 1000, 1<<30))
	// A crash-looping pod is Failed in wecs's classes and still holds its place.
	tree.Upsert(podOn("c1", "n1", "crash-loop", StatusFailed, 250, 0))
	tree.Upsert(podOn("c1", "gone-node", "c", StatusRunning, 100, 0))
	tree.Upsert(podOn("c1", "", "waiting", StatusPending, 100, 0))
	tree.Upsert(podOn("c2", "n1", "other-cluster", StatusRunning, 3000, 0))

	got := tree.NodeCapacity("c1")
	if len(got.Nodes) != 2 || got.Unscheduled != 1 {
		t.Fatalf("nodes %+v, %d unscheduled", got.Nodes, got.Unscheduled)
	}
	gone, n1 := got.Nodes[0], got.Nodes[1]
	if n1.Name != "n1" || n1.CPU != 1000 || n1.Memory != 3<<29 || n1.Pods != 3 || n1.Allocatable().CPU != 4000 {
		t.Errorf("n1: %+v (allocatable %+v)", n1, n1.Allocatable())
	}
	if gone.Name != "gone-node" || gone.Node != nil || gone.CPU != 100 || gone.Allocatable() != (Usage{}) {
		t.Errorf("a node the tree does not hold: %+v", gone)
	}
	pods := tree.PodsOn("c1", "n1")
	if len(pods) != 4 || pods[0].Name != "a" || pods[3].Name != "done" {
		t.Errorf("pods on n1: %v", pods)
	}
}

type fakeDeliveries map[string]string // "cluster/appliedWork" → policy

func (f fakeDeliveries) BindingPolicy(cluster, work string) string { return f[cluster+"/"+work] }
func (f fakeDeliveries) PolicyClusters(policy string) []string {
	var out []string
	for key, p := range f {
		if p == policy {
			out = append(out, strings.Split(key, "/")[0])
		}
	}
	return out
}

func TestHealthCheckComparesWorkloadsAcrossClusters(t *testing.T) {
	tree := NewTree()
	add := func(cluster, kind, name string, status Status, ready, work string) {
		tree.Upsert(Object{Cluster: cluster, Namespace: "shop", Kind: kind, Name: name, UID: types.UID(cluster + kind + name),
			Status: status, Ready: ready, DeliveredBy: work})
	}
	for _, c := range []string{"c1", "c2", "c3"} {
		status, ready := StatusReady, "3/3"
		if c == "c2" {
			status, ready = StatusNotReady, "0/3"
		}
		add(c, "Deployment", "web", status, ready, "h-shop")
		add(c, "Deployment", "api", StatusReady, "1/1", "")
		add(c, "Service", "web", StatusReady, "", "")
	}
	add("c1", "DaemonSet", "exporter", StatusReady, "1/1", "h-mon")
	add("c3", "DaemonSet", "exporter", StatusReady, "1/1", "h-mon")
	add("c1", "Deployment", "only-here", StatusFailed, "0/1", "")
	tree.Upsert(Object{Cluster: "c1", Namespace: "kube-system", Kind: "Deployment", Name: "coredns", UID: "a", Status: StatusReady})
	tree.Upsert(Object{Cluster: "c2", Namespace: "kube-system", Kind: "Deployment", Name: "coredns", UID: "b", Status: StatusFailed})
	d := fakeDeliveries{"c1/h-shop": "shop-policy", "c2/h-shop": "shop-policy", "c3/h-shop": "shop-policy",
		"c1/h-mon": "monitoring-policy", "c3/h-mon": "monitoring-policy"}

	hc := tree.HealthCheck([]string{"c3", "c1", "c2"}, d, false)
	var names []string
	for _, s := range hc.Spreads {
		names = append(names, s.BindingPolicy+":"+s.Kind+"/"+s.Name)
	}
	// Delivered first, by policy; Services and single copies are left out.
	if got := strings.Join(names, " "); got != "monitoring-policy:DaemonSet/exporter shop-policy:Deployment/web :Deployment/api" {
		t.Fatalf("spreads %s", got)
	}
	exporter, web, api := hc.Spreads[0], hc.Spreads[1], hc.Spreads[2]
	if exporter.Asymmetric() || !web.Asymmetric() || api.Asymmetric() {
		t.Errorf("asymmetric: exporter %v (its policy skips c2), web %v, api %v", exporter.Asymmetric(), web.Asymmetric(), api.Asymmetric())
	}
	if web.On["c2"].Ready != "0/3" || web.Worst() != StatusNotReady {
		t.Errorf("web on c2: %+v, worst %s", web.On["c2"], web.Worst())
	}
	// A policy's copy missing from one of its clusters is asymmetric too.
	delete(exporter.On, "c3")
	exporter.On["c2"] = Object{Status: StatusReady}
	if !exporter.Asymmetric() {
		t.Error("a copy missing from a cluster its policy delivers to is not flagged")
	}
	if len(hc.Clusters) != 3 || hc.Clusters[0] != "c1" {
		t.Errorf("clusters %v", hc.Clusters)
	}
	for _, kt := range hc.Totals {
		if kt.Kind == "Deployment" && (kt.ByCluster["c1"].Total != 3 || kt.ByCluster["c1"].Of(StatusFailed) != 1 || kt.ByCluster["c2"].Total != 2) {
			t.Errorf("Deployment totals %+v (kube-system left out)", kt.ByCluster)
		}
	}
	if withSystem := tree.HealthCheck([]string{"c1", "c2"}, d, true); len(withSystem.Spreads) != 3 {
		t.Errorf("with system namespaces: %d spreads, want coredns too", len(withSystem.Spreads))
	}
}

func managedClusterNamed(name string, accepted, joined bool) *clusterv1.ManagedCluster {
	mc := &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: clusterv1.ManagedClusterSpec{HubAcceptsClient: accepted}}
	if joined {
		mc.Status.Conditions = []metav1.Condition{{Type: clusterv1.ManagedClusterConditionJoined, Status: metav1.ConditionTrue}}
	}
	return mc
}

func TestPlanAcceptApprovesOnlyTheAgentsOwnRequests(t *testing.T) {
	const bootstrap = "system:serviceaccount:open-cluster-management:cluster-bootstrap"
	csr := func(name, requester, identity string) CSR {
		return CSR{Name: name, Requester: requester, Identity: identity, Signer: certificatesv1.KubeAPIServerClientSignerName, State: "Pending"}
	}
	good := csr("c4-a", bootstrap, "system:open-cluster-management:c4:agent1")
	plan, err := planAccept(managedClusterNamed("c4", false, false), []CSR{
		good,
		csr("c4-admin", "kubernetes-admin", "system:open-cluster-management:c4:agent1"),
		csr("c4-steal", bootstrap, "system:open-cluster-management:c1:agent1"),
		{Name: "c4-old", Requester: bootstrap, Identity: good.Identity, State: "Approved"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Approve) != 1 || plan.Approve[0].Name != "c4-a" || !plan.SetAccepted || len(plan.Skipped) != 2 {
		t.Fatalf("plan %+v", plan)
	}
	for _, want := range []string{"approve CSR c4-a (from " + bootstrap, "set hubAcceptsClient: true on ManagedCluster c4"} {
		if !strings.Contains(plan.String(), want) {
			t.Errorf("plan says %q, want %q", plan, want)
		}
	}

	_, err = planAccept(managedClusterNamed("c4", false, false), []CSR{good, csr("c4-b", bootstrap, "system:open-cluster-management:c4:agent2")})
	if err == nil || !strings.Contains(err.Error(), "several agents ask to join as c4") {
		t.Errorf("two agents for one cluster: %v", err)
	}
	_, err = planAccept(managedClusterNamed("c4", false, false), []CSR{csr("c4-admin", "kubernetes-admin", good.Identity)})
	if err == nil || !strings.Contains(err.Error(), "filed by kubernetes-admin") || !strings.Contains(err.Error(), "kubectl certificate approve") {
		t.Errorf("only an admin's CSR: %v", err)
	}
	_, err = planAccept(managedClusterNamed("c4", false, false), nil)
	if err == nil || !strings.Contains(err.Error(), "is the agent running") {
		t.Errorf("no CSR: %v", err)
	}
	plan, err = planAccept(managedClusterNamed("c4", true, true), nil)
	if err != nil || !plan.Noop() || !strings.Contains(plan.String(), "already accepted") {
		t.Errorf("an accepted, joined cluster: %+v %v", plan, err)
	}
	// The agent renewing its own certificate is a plausible requester.
	renewal := csr("c4-renew", "system:open-cluster-management:c4:agent1", good.Identity)
	if plan, err := planAccept(managedClusterNamed("c4", true, true), []CSR{renewal}); err != nil || len(plan.Approve) != 1 {
		t.Errorf("renewal: %+v %v", plan, err)
	}
}

func TestLabelChangesAndReservedKeys(t *testing.T) {
	ch, err := ParseLabelChanges("tier=gold, region=eu zone-")
	if err != nil || ch.Set["tier"] != "gold" || ch.Set["region"] != "eu" || len(ch.Remove) != 1 || ch.Remove[0] != "zone" {
		t.Fatalf("%+v %v", ch, err)
	}
	for _, bad := range []string{"", "tier", "bad key=x", "tier=no spaces!"} {
		if _, err := ParseLabelChanges(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for key, want := range map[string]string{
		"kubernetes.io/hostname":                        "reserved for Kubernetes",
		"node.kubernetes.io/role":                       "reserved for Kubernetes",
		"k8s.io/x":                                      "reserved for Kubernetes",
		"feature.open-cluster-management.io/addon-x":    "Open Cluster Management",
		"open-cluster-management.io/cluster-name":       "Open Cluster Management",
		"cluster.open-cluster-management.io/clusterset": "",
		"location-group":                                "",
		"example.com/team":                              "",
		"notkubernetes.io/x":                            "",
	} {
		got := ReservedLabel(key)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("ReservedLabel(%q) = %q, want %q", key, got, want)
		}
	}
}
