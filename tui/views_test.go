package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
)

// What the fake fleet's actions were asked to do (tests run one at a time).
var (
	acceptedClusters []string
	labelChanges     []kube.LabelChanges
)

func (f fakeFleet) ClusterNames() []string { return []string{"cluster1", "cluster2"} }
func (f fakeFleet) PolicyClusters(policy string) []string {
	return []string{"cluster1", "cluster2"}
}
func (f fakeFleet) ClusterDetail(ctx context.Context, cluster string) (kube.ClusterDetail, error) {
	return kube.ClusterDetail{Cluster: cluster, ClusterSets: []string{"default"},
		CSRs:     []kube.CSR{{Name: cluster + "-csr1", Requester: "system:serviceaccount:open-cluster-management:cluster-bootstrap", State: "Pending", Created: created}},
		Timeline: []kube.TimelineEntry{{Time: created, Source: "cluster", Text: "ManagedCluster created: the agent asked to join"}},
	}, nil
}
func (f fakeFleet) PlanAccept(ctx context.Context, cluster string) (kube.AcceptPlan, error) {
	if cluster == "cluster1" {
		return kube.AcceptPlan{}, errors.New("cannot accept cluster1: no registration CSR from its agent waits")
	}
	return kube.AcceptPlan{Cluster: cluster, SetAccepted: true, Approve: []kube.CSR{{Name: cluster + "-csr1", Requester: "bootstrap", Identity: "agent"}}}, nil
}
func (f fakeFleet) Accept(ctx context.Context, cluster string) (kube.AcceptPlan, error) {
	acceptedClusters = append(acceptedClusters, cluster)
	return f.PlanAccept(ctx, cluster)
}
func (f fakeFleet) LabelCluster(ctx context.Context, cluster string, changes kube.LabelChanges) error {
	labelChanges = append(labelChanges, changes)
	return nil
}

func (f fakeFleet) ManagedClusterRef(cluster string) kube.Object {
	return kube.Object{Cluster: "its1", Kind: "ManagedCluster", Name: cluster}
}
func (f fakeFleet) ManagedClusterText(ctx context.Context, cluster string, asJSON bool) ([]byte, error) {
	return []byte("kind: ManagedCluster\nmetadata:\n  name: " + cluster + "\n"), nil
}
func (f fakeFleet) UpdateManagedCluster(ctx context.Context, cluster string, _, text []byte) error {
	if strings.Contains(string(text), "kubernetes.io/") {
		return errors.New("not saved: a reserved label")
	}
	*f.changes = append(*f.changes, "update ManagedCluster "+cluster+": "+strings.ReplaceAll(string(text), "\n", " "))
	return nil
}
func (f fakeFleet) CanEditClusters(ctx context.Context) kube.Permission {
	return kube.Permission{Allowed: true}
}

func TestClustersViewEditsTheManagedClusterInTheEditor(t *testing.T) {
	m := send(sized(140, 40), keys(":clusters inactive", "enter")...)
	f := m.fleet.(fakeFleet)
	var opened []string
	label := "  labels: {kubernetes.io/arch: arm64}\n" // refused first, then changed to an allowed key
	m.editor.Run = func(path string, done func(error) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			data, _ := os.ReadFile(path)
			opened = append(opened, string(data))
			if len(opened) == 2 {
				data = []byte(strings.Replace(string(data), "kubernetes.io/arch", "tier", 1))
			} else {
				data = append(data, label...)
			}
			_ = os.WriteFile(path, data, 0o600)
			return done(nil)
		}
	}
	m = send(m, keys("e")...)
	if len(opened) != 2 || !strings.Contains(opened[1], "# wecs: not saved: a reserved label") {
		t.Fatalf("the refused text was not reopened with the reason: %q", opened)
	}
	want := "update ManagedCluster cluster2: kind: ManagedCluster metadata:   name: cluster2   labels: {tier: arm64} "
	if len(*f.changes) != 1 || (*f.changes)[0] != want {
		t.Fatalf("changes %q, want %q", *f.changes, want)
	}
	if s := screen(m); !strings.Contains(s, "saved ManagedCluster cluster2 on its1") || !strings.Contains(s, "Clusters · 1 of 2") {
		t.Errorf("the clusters view does not say the edit was saved:\n%s", s)
	}
}

func TestClustersViewFiltersReadsTheRegistrationAndAccepts(t *testing.T) {
	acceptedClusters, labelChanges = nil, nil
	m := send(sized(140, 40), keys(":clusters inactive", "enter")...)
	s := screen(m)
	for _, want := range []string{"Clusters · 1 of 2 · status=Inactive", "NAME↑", "cluster2", "Inactive", "[Details]", "ManagedClusterSets", "default"} {
		if !strings.Contains(s, want) {
			t.Fatalf("clusters view lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "cluster1  Active") {
		t.Errorf("an Active cluster under the Inactive filter:\n%s", s)
	}
	m = send(m, keys("tab")...)
	if s := screen(m); !strings.Contains(s, "cluster2-csr1 Pending") || !strings.Contains(s, "ManagedCluster created: the agent asked to join") {
		t.Fatalf("registration tab:\n%s", s)
	}
	m = send(m, keys("a")...)
	if s := screen(m); !strings.Contains(s, "Accept cluster2? y yes, n no: approve CSR cluster2-csr1") {
		t.Fatalf("no confirmation:\n%s", s)
	}
	m = send(m, keys("n")...)
	if len(acceptedClusters) != 0 || !strings.Contains(screen(m), "not accepted") {
		t.Fatalf("n accepted anyway: %v", acceptedClusters)
	}
	m = send(m, keys("a")...)
	m = send(m, keys("y")...)
	if len(acceptedClusters) != 1 || !strings.Contains(screen(m), "accepted cluster2") {
		t.Fatalf("y did not accept: %v\n%s", acceptedClusters, screen(m))
	}
	// Labels: reserved keys are refused here, with the reason.
	m = send(m, keys("L", "kubernetes.io/arch=arm64", "enter")...)
	if s := screen(m); !strings.Contains(s, "reserved for Kubernetes") || len(labelChanges) != 0 {
		t.Fatalf("reserved label: %v\n%s", labelChanges, s)
	}
	m = send(m, keys("L", "tier=gold", "enter")...)
	if len(labelChanges) != 1 || labelChanges[0].Set["tier"] != "gold" {
		t.Fatalf("label changes %v", labelChanges)
	}
	// s steps through the statuses; the error of an impossible accept shows.
	m = send(m, keys("s", "s")...) // accepting showed every status; now Pending, Active
	if s := screen(m); !strings.Contains(s, "status=Active") || !strings.Contains(s, "cluster1") {
		t.Fatalf("s to Active:\n%s", s)
	}
	m = send(m, keys("a")...)
	if s := screen(m); !strings.Contains(s, "no registration CSR from its agent waits") {
		t.Fatalf("accept error not shown:\n%s", s)
	}
	// enter goes to the cluster in the tree.
	m = send(m, keys("enter")...)
	if s := screen(m); !strings.Contains(s, "no filter") {
		t.Fatalf("enter did not go back to the tree:\n%s", s)
	}
	if row, _ := m.tree.Selected(); row.Cluster != "cluster1" || row.Level != 0 {
		t.Errorf("tree selection %+v", row)
	}
}

func TestHealthCheckShowsTheAsymmetryAndJumpsToTheTree(t *testing.T) {
	objs := testTree()
	for _, c := range []string{"cluster1", "cluster2"} {
		status, ready := kube.StatusReady, "2/2"
		if c == "cluster2" {
			status, ready = kube.StatusNotReady, "0/2"
		}
		objs.Upsert(kube.Object{Cluster: c, Namespace: "shop", Kind: "Deployment", Name: "api", UID: types.UID(c + "/api"),
			Status: status, Ready: ready, Created: created})
	}
	m := send(newModelWith(objs), tea.WindowSizeMsg{Width: 140, Height: 30})
	m = send(m, keys("H")...)
	s := screen(m)
	for _, want := range []string{"Fleet health check", "1 differ between clusters", "≠ shop/Deployment api", "✓ Ready 2/2", "◐ NotReady 0/2", "Top-level objects per kind and cluster"} {
		if !strings.Contains(s, want) {
			t.Fatalf("health check lacks %q:\n%s", want, s)
		}
	}
	// The web row: l selects cluster2's copy, enter shows it in the tree.
	for i := 0; i < 5 && !strings.Contains(selectedLine(m), "api"); i++ {
		m = send(m, keys("j")...)
	}
	m = send(m, keys("l", "enter")...)
	if s := screen(m); !strings.Contains(s, "cluster2 › shop › Deployment api") {
		t.Fatalf("enter did not reveal cluster2's api:\n%s", s)
	}
}

func TestNodeCapacityViewShowsFullNodesAndTheirPods(t *testing.T) {
	objs := testTree()
	for _, n := range []string{"node-a", "node-b"} {
		objs.Upsert(kube.Object{Cluster: "cluster1", Kind: "Node", Name: n, UID: types.UID(n), Status: kube.StatusReady,
			Usage: &kube.Usage{CPU: 2000, Memory: 4 << 30, Pods: 110}})
	}
	objs.Upsert(kube.Object{Cluster: "cluster1", Namespace: "shop", Kind: "Pod", Name: "big", UID: "big", Status: kube.StatusRunning,
		Usage: &kube.Usage{Node: "node-b", CPU: 1900, Memory: 1 << 30}})
	objs.Upsert(kube.Object{Cluster: "cluster1", Namespace: "shop", Kind: "Pod", Name: "waiting", UID: "waiting", Status: kube.StatusPending,
		Usage: &kube.Usage{CPU: 100}})
	m := send(newModelWith(objs), tea.WindowSizeMsg{Width: 140, Height: 30})
	m = send(m, keys(":nodes cluster1", "enter")...)
	s := screen(m)
	for _, want := range []string{"Nodes of cluster1 · 2 nodes · 1 pods · cpu 1.9/4", "1 pods wait for a node", "node-a", " 0/2", "node-b", "1.9/2", "95%"} {
		if !strings.Contains(s, want) {
			t.Fatalf("nodes view lacks %q:\n%s", want, s)
		}
	}
	m = send(m, keys("o", "g", "enter")...) // by CPU: node-b first; its pods
	if s := screen(m); !strings.Contains(s, "Pods on node-b") || !strings.Contains(s, "shop/big") {
		t.Fatalf("node-b's pods:\n%s", s)
	}
	m = send(m, keys("esc", "esc")...)
	if s := screen(m); !strings.Contains(s, "no filter") {
		t.Fatalf("esc twice did not go back to the tree:\n%s", s)
	}
}

func selectedLine(m Model) string {
	for _, l := range strings.Split(m.View().Content, "\n") {
		if strings.Contains(l, "\x1b[7m") {
			return l
		}
	}
	return ""
}

// TestEachFleetViewsHelpListsTheKeysItHandles presses ? in the clusters,
// nodes (with a node's pods open) and health views and looks for every
// key the view handles.
func TestEachFleetViewsHelpListsTheKeysItHandles(t *testing.T) {
	everywhere := map[string]string{":": "command", "esc / q": "back to the tree", "?": "this help", "ctrl+c": "quit"}
	views := []struct {
		open []string
		keys map[string]string
	}{
		{[]string{"C"}, map[string]string{"↑↓ j k": "select a cluster", "pgup pgdn": "a page of clusters", "g G": "first / last cluster",
			"s": "status:", "o / O": "sort by", "tab shift+tab": "Details, Registration, YAML", "] [": "as tab",
			"space": "scroll the details", "enter": "the cluster in the tree", "a": "accept a pending cluster", "L": "edit labels", "e": "edit the ManagedCluster"}},
		{[]string{"U", "enter"}, map[string]string{"↑↓ j k": "select a node", "pgup pgdn": "a page of nodes", "g G": "first / last node",
			"enter": "its pods", "space": "scroll the pods", "o": "sort by name", "tab": "the next cluster's nodes", "esc / q": "close the pods"}},
		{[]string{"H"}, map[string]string{"↑↓ j k": "select a workload", "pgup pgdn": "a page of workloads", "g G": "first / last workload",
			"← → h l": "select a cluster's copy", "enter": "that copy in the tree", "a": "only the workloads that differ"}},
		{[]string{"B"}, map[string]string{"↑↓ j k": "select a row", "enter": "that WEC's copy in the tree", "/": "search (the tree"}},
	}
	for _, v := range views {
		m := send(sized(140, 40), keys(append(v.open, "?")...)...)
		text := helpText(m)
		for _, want := range []map[string]string{v.keys, everywhere} {
			for key, what := range want {
				if line := fmt.Sprintf("%-12s %s", key, what); !strings.Contains(text, line) {
					t.Errorf("%s: the help lacks %q:\n%s", v.open, line, text)
				}
			}
		}
		m = send(m, keys("esc")...)
		if m.top().kind != modeView {
			t.Errorf("%s: esc did not close the help back to the view", v.open)
		}
	}
}
