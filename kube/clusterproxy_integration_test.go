package kube_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// TestWECsAreReachedThroughTheITSAlone runs the fleet with a kubeconfig that
// holds only the ITS: every accepted WEC is reached through the ITS's
// cluster-proxy and its tree equals the server's; stopping cluster3's proxy
// agent disconnects cluster3 alone, naming the tunnel, and starting it again
// brings cluster3 back whole.
func TestWECsAreReachedThroughTheITSAlone(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.ITSOnlyKubeconfig())
	wecs := s.WECNames()
	waitFor(t, 90*time.Second, "every WEC connected", func() error { return connected(f, wecs...) })
	for _, m := range f.Members() {
		switch {
		case m.Name == s.Pending:
			if m.Binding.Bound() || !strings.Contains(m.Binding.Problem, "cluster-proxy add-on is not enabled for "+s.Pending) {
				t.Errorf("%s (no proxy agent): binding %+v, want unbound naming the add-on", m.Name, m.Binding)
			}
		case m.Binding.By != kube.BoundByClusterProxy || m.Binding.Reach() != "through the ITS (cluster-proxy)":
			t.Errorf("%s: binding %+v, want through the ITS's cluster-proxy", m.Name, m.Binding)
		}
	}
	for _, c := range wecs {
		waitFor(t, 60*time.Second, c+" tree equals truth", func() error { return treeMatchesTruth(t, f, s, c) })
	}

	agent := sandbox.ProxyAgentComponent("cluster3")
	if err := s.StopComponent(agent); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.StartComponent(agent, false) })
	f.Reconnect("cluster3")
	waitFor(t, 60*time.Second, "cluster3 disconnected, the tunnel named", func() error {
		for _, m := range f.Members() {
			if m.Name == "cluster3" && m.Connection.State == kube.Disconnected && strings.Contains(m.Connection.Err, "proxy agent of cluster3 not connected") {
				return nil
			}
		}
		return fmt.Errorf("cluster3 not disconnected with the tunnel named: %+v", member(t, f, "cluster3").Connection)
	})
	if err := connected(f, "cluster1", "cluster2"); err != nil {
		t.Errorf("the other WECs during cluster3's tunnel outage: %v", err)
	}

	if err := s.StartComponent(agent, false); err != nil {
		t.Fatal(err)
	}
	f.Reconnect("cluster3")
	waitFor(t, 90*time.Second, "cluster3 connected again", func() error { return connected(f, "cluster3") })
	waitFor(t, 60*time.Second, "cluster3 tree equals truth", func() error { return treeMatchesTruth(t, f, s, "cluster3") })
}

// TestAConnectedWECStaysWatchedWhenBoundAnew: connecting lazily, a WEC that
// was connected and is then bound anew (its cluster-proxy add-on label goes
// and comes back) is watched again at once, not left Idle with the objects
// of its old watch.
func TestAConnectedWECStaysWatchedWhenBoundAnew(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc, _ := kubeconfigAt(t, s.ITSOnlyKubeconfig())
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{Connect: kube.ConnectLazy})
	runFleet(t, f)
	f.Connect("cluster3")
	waitFor(t, 90*time.Second, "cluster3 connected", func() error { return connected(f, "cluster3") })
	if state := member(t, f, "cluster2").Connection.State; state != kube.Idle {
		t.Fatalf("cluster2, never asked for, is %s, want %s", state, kube.Idle)
	}

	cfg, err := s.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	clusters := clusterclient.NewForConfigOrDie(cfg).ClusterV1().ManagedClusters()
	mc, err := clusters.Get(t.Context(), "cluster3", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const addOnLabel = "feature.open-cluster-management.io/addon-cluster-proxy"
	value, ok := mc.Labels[addOnLabel]
	if !ok {
		t.Fatalf("cluster3 lacks the label %s: %v", addOnLabel, mc.Labels)
	}
	relabel := func(to string) {
		t.Helper()
		patch := `{"metadata":{"labels":{"` + addOnLabel + `":` + to + `}}}`
		// Also from the cleanup, once the test's context has ended.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := clusters.Patch(ctx, "cluster3", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	relabelled := time.Now()
	relabel("null")
	t.Cleanup(func() { relabel(strconv.Quote(value)) })
	// The hub's registration controller puts the label back within a
	// moment (it labels a cluster for each add-on it has), so cluster3 may
	// be unbound and bound anew between two looks: a watch begun since the
	// relabel says it was.
	waitFor(t, 30*time.Second, "cluster3 unbound, or watched anew", func() error {
		switch m := member(t, f, "cluster3"); {
		case m.Connection.State == kube.Unbound:
		case m.Connection.State != kube.Idle && m.Connection.Since.After(relabelled):
		default:
			return fmt.Errorf("cluster3 is %s since %s", m.Connection.State, m.Connection.Since.Format(time.StampMilli))
		}
		return nil
	})
	relabel(strconv.Quote(value))
	waitFor(t, 90*time.Second, "cluster3 connected again", func() error { return connected(f, "cluster3") })
	waitFor(t, 60*time.Second, "cluster3 tree equals truth", func() error { return treeMatchesTruth(t, f, s, "cluster3") })
}
