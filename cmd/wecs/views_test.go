package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// rowFields are the fields of the screen line that starts with name.
func rowFields(screen, name string) []string {
	for _, line := range strings.Split(screen, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == name {
			return f
		}
	}
	return nil
}

// rowUnmet is "" when the screen row of name has want from field from on,
// else what is missing (for tmuxtest's WaitUntil).
func rowUnmet(screen, name string, from int, want ...string) string {
	got := rowFields(screen, name)
	if len(got) < from+len(want) || !slices.Equal(got[from:from+len(want)], want) {
		return fmt.Sprintf("showed %v from field %d of the row of %s (row %v)", want, from, name, got)
	}
	return ""
}

// TestTUIAcceptsThePendingWECAndComparesTheFleet is the new user's tour of
// the fleet views: the clusters as the ITS lists them, filtered to Pending,
// why the pending one waits, accepting it and watching its agent turn it
// Active; the workload that fails on one WEC only; the nodes of a WEC; and
// an agent that stops, turning its cluster Unknown.
func TestTUIAcceptsThePendingWECAndComparesTheFleet(t *testing.T) {
	s := sandboxtest.New(t, sandbox.Options{WECs: 2, Nodes: 2})
	// The editor first adds a label under OCM's reserved prefix; shown the
	// refusal at the top of the file, it renames the key.
	editor := scriptedEditor(t, `if grep -q '^# wecs:' "$1"; then
  sed -i 's#open-cluster-management.io/e2e: x#tier: gold#' "$1"
else
  sed -i 's#^  labels:$#  labels:\n    open-cluster-management.io/e2e: x#' "$1"
fi`)
	// TMPDIR: a refused edit's text is kept there.
	term := tmuxtest.Start(t, 140, 40, "TMPDIR="+t.TempDir()+" EDITOR="+editor+" "+buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected", "cluster2 Active ● Connected")

	term.Keys("C")
	term.WaitFor(10*time.Second, "Clusters · 3 of 3", "NAME↑", "ACCEPTED", "[Details]")
	cfg, _ := s.RESTConfig("its1")
	oc := clusterclient.NewForConfigOrDie(cfg)
	yesNo := map[bool]string{true: "yes", false: "no"}
	// Each row's accepted/joined/available as the ITS lists them (the
	// screen may be a moment behind).
	term.WaitUntil(30*time.Second, func(screen string) string {
		list, err := oc.ClusterV1().ManagedClusters().List(t.Context(), metav1.ListOptions{})
		if err != nil {
			return "listed the ManagedClusters: " + err.Error()
		}
		for _, mc := range list.Items {
			available := conditionStatus(mc.Status.Conditions, clusterv1.ManagedClusterConditionAvailable)
			if available == "" {
				available = "—"
			}
			joined := conditionStatus(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined) == "True"
			if unmet := rowUnmet(screen, mc.Name, 2, yesNo[mc.Spec.HubAcceptsClient], yesNo[joined], available); unmet != "" {
				return unmet
			}
		}
		return ""
	})

	// Filter to Pending and read why it waits.
	term.Keys("s")
	term.WaitFor(10*time.Second, "status=Pending", s.Pending+"  Pending", "not accepted by the hub")
	term.Keys("Tab")
	term.WaitFor(20*time.Second, "[Registration]", "Registration CSRs", "filed by "+sandbox.BootstrapUser, "a accepts it")
	term.Keys("a")
	term.WaitFor(10*time.Second, "Accept "+s.Pending+"? y yes, n no: approve CSR")
	term.Keys("y")
	term.WaitFor(10*time.Second, "accepted "+s.Pending)
	start := time.Now()
	term.WaitFor(90*time.Second, s.Pending+"  Active")
	t.Logf("%s Active on screen %s after accepting", s.Pending, time.Since(start).Round(100*time.Millisecond))
	term.WaitUntil(30*time.Second, func(screen string) string { return rowUnmet(screen, s.Pending, 2, "yes", "yes", "True") })

	// Edit its ManagedCluster in $EDITOR: the reserved label is refused,
	// the renamed one saved. The agent's status writes are no conflict, but
	// OCM's hub controllers may still be changing the new cluster's
	// metadata: the save is then a conflict, the script leaves the text as
	// it is, and the edit ends cancelled; a user edits again.
	saved := "saved ManagedCluster " + s.Pending + " on its1"
	term.Keys("e")
	screen := term.WaitUntil(30*time.Second, func(screen string) string {
		if strings.Contains(screen, saved) || strings.Contains(screen, "edit cancelled") {
			return ""
		}
		return fmt.Sprintf("showed %q", saved)
	})
	if !strings.Contains(screen, saved) {
		t.Log("the edit met a change by OCM's controllers; editing again")
		term.Keys("e")
		term.WaitFor(30*time.Second, saved)
	}
	mc, err := oc.ClusterV1().ManagedClusters().Get(t.Context(), s.Pending, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, reserved := mc.Labels["open-cluster-management.io/e2e"]; reserved || mc.Labels["tier"] != "gold" {
		t.Errorf("labels after the edit: %v", mc.Labels)
	}
	term.Keys("[") // the Details tab lists the labels
	term.WaitFor(10*time.Second, "[Details]", "tier=gold")

	// The health check: web fails on cluster2 only.
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "no filter")
	term.Keys("H")
	term.WaitFor(20*time.Second, "Fleet health check", "BindingPolicy "+sandbox.ShopPolicy, "≠ shop/Deployment web", "differ between clusters")
	term.WaitUntil(30*time.Second, func(screen string) string { return rowUnmet(screen, "≠", 4, "Ready", "3/3") })
	// (Each esc is waited for: an esc followed at once by a key reads as alt+key.)
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "no filter")

	// The nodes of cluster1, the full one first.
	term.Keys(":", "n", "o", "d", "e", "s", " ", "c", "l", "u", "s", "t", "e", "r", "1", "Enter")
	term.WaitFor(10*time.Second, "Nodes of cluster1 · 2 nodes", "CPU REQUESTED/ALLOCATABLE", "cluster1-node-001")
	term.Keys("o", "Enter")
	term.WaitFor(10*time.Second, "sorted by CPU requested", "Pods on cluster1-node-")
	term.Keys("Escape")
	term.WaitGone(10*time.Second, "Pods on cluster1-node-")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "no filter")

	// An agent stops: the ITS stops hearing from it and the cluster turns Unknown.
	if err := s.StopComponent(sandbox.AgentComponent("cluster1")); err != nil {
		t.Fatal(err)
	}
	term.Keys("C")
	term.WaitFor(5*sandbox.LeaseDurationSeconds*time.Second+60*time.Second, "cluster1  Unknown")
	// q leaves a view, as it leaves the details pane; then it asks to quit.
	term.Keys("q")
	term.WaitFor(10*time.Second, "no filter")
	quitFromTheTree(term)
}

func TestClustersStatusFilterAndAcceptWithoutATerminal(t *testing.T) {
	s := sandboxtest.Shared(t)
	out, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "--status", "pending")
	if code != 0 || rowFields(out, s.Pending) == nil || rowFields(out, "cluster1") != nil {
		t.Errorf("--status pending (exit %d): %s%s", code, out, stderr)
	}
	if _, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "--status", "happy"); code != 1 || !strings.Contains(stderr, "use one of Active, Inactive, Pending, Unknown") {
		t.Errorf("--status happy: exit %d: %s", code, stderr)
	}
	// Without a terminal and without --yes nothing is accepted.
	_, stderr, code = runWecs(t, "accept", s.Pending, "--kubeconfig", s.Kubeconfig)
	if code != 1 || !strings.Contains(stderr, "pass --yes") || !strings.Contains(stderr, "approve CSR") {
		t.Errorf("accept without --yes: exit %d: %s", code, stderr)
	}
	if _, stderr, code := runWecs(t, "accept", "cluster9", "--yes", "--kubeconfig", s.Kubeconfig); code != 1 || !strings.Contains(stderr, `no ManagedCluster "cluster9"`) {
		t.Errorf("accept cluster9: exit %d: %s", code, stderr)
	}
	out, _, code = runWecs(t, "accept", "cluster1", "--yes", "--kubeconfig", s.Kubeconfig)
	if code != 0 || !strings.Contains(out, "already accepted") {
		t.Errorf("accept an accepted cluster: exit %d: %s", code, out)
	}
}
