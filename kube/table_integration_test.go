package kube_test

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// TestAFleetTableFollowsTheMembers: an open table of pods has every pod of
// a WEC as its server lists them, gains the rows of a WEC that joins while
// it is open, and drops them when the WEC leaves.
func TestAFleetTableFollowsTheMembers(t *testing.T) {
	s := sandboxtest.Shared(t)
	// The joining WEC is cluster1 again, under a context of its own name.
	const joiner = "joins-later"
	raw, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	raw.Contexts[joiner] = raw.Contexts["cluster1"]
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	f := startFleet(t, path)
	waitFor(t, 60*time.Second, "every WEC connected, nothing listing", func() error {
		if f.Listing() {
			return errors.New("the fleet is listing")
		}
		return connected(f, s.WECNames()...)
	})
	// The fleet lists while the table's first lists run, and says so.
	changed := f.Listen(t.Context())
	table := f.OpenTable("po")
	t.Cleanup(table.Close)
	if !f.Listing() {
		t.Fatal("the fleet does not list while the table's first lists run")
	}
	heard := func(what string) {
		t.Helper()
		select {
		case <-changed:
		case <-time.After(5 * time.Second):
			t.Fatalf("no listener was told %s", what)
		}
	}
	heard("that the table's first lists started")
	waitFor(t, 60*time.Second, "the table's first lists done", func() error {
		if loading := table.Snapshot().Loading; len(loading) > 0 {
			return fmt.Errorf("still loading %v", loading)
		}
		return nil
	})
	heard("that the table's first lists ended")
	if f.Listing() {
		t.Fatal("the fleet still lists once the table's first lists are done")
	}

	pods := slices.Sorted(maps.Values(serverPods(t, s, "cluster1", "")))
	rowsOf := func(cluster string) (names map[string]bool, problem string) {
		snap := table.Snapshot()
		names = map[string]bool{}
		for _, r := range snap.Rows {
			if r.Object.Cluster == cluster {
				names[r.Object.Namespace+"/"+r.Object.Name] = true
			}
		}
		return names, snap.Problems[cluster]
	}
	hasEveryPod := func(cluster string) error {
		names, problem := rowsOf(cluster)
		for _, p := range pods {
			if !names[p] {
				return fmt.Errorf("%s lacks pod %s (%d rows; problem %q)", cluster, p, len(names), problem)
			}
		}
		if len(names) != len(pods) {
			return fmt.Errorf("%s has %d rows, its server %d pods", cluster, len(names), len(pods))
		}
		return nil
	}
	waitFor(t, 30*time.Second, "cluster1's pods in the table", func() error { return hasEveryPod("cluster1") })

	sandboxtest.ManagedCluster(t, s, &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: joiner},
		Spec: clusterv1.ManagedClusterSpec{HubAcceptsClient: true}})
	waitFor(t, 60*time.Second, "the joining WEC's pods in the open table", func() error { return hasEveryPod(joiner) })

	sandboxtest.RemoveManagedCluster(t, s, joiner)
	waitFor(t, 30*time.Second, "the leaving WEC's rows gone", func() error {
		if names, problem := rowsOf(joiner); len(names) > 0 || problem != "" {
			return fmt.Errorf("%d rows, problem %q", len(names), problem)
		}
		return nil
	})
	if err := hasEveryPod("cluster1"); err != nil {
		t.Error(err)
	}
}

// TestAFleetTableReadsTheNamespacesALimitedUserMay: a user who may list
// pods only in shop gets a table of shop's pods on each WEC, equal to the
// server's, and told that it holds only that namespace.
func TestAFleetTableReadsTheNamespacesALimitedUserMay(t *testing.T) {
	s := sandboxtest.Shared(t)
	if err := s.EnsureUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	f := startFleet(t, s.UserKubeconfig(sandbox.ShopViewer))
	table := f.OpenTable("pods")
	t.Cleanup(table.Close)
	want := slices.Sorted(maps.Values(serverPods(t, s, "cluster1", "shop")))
	if len(want) == 0 {
		t.Fatal("the sandbox has no pods in shop on cluster1")
	}
	waitFor(t, 60*time.Second, "shop's pods of cluster1, and why only those", func() error {
		snap := table.Snapshot()
		var names []string
		for _, r := range snap.Rows {
			if r.Object.Cluster == "cluster1" {
				names = append(names, r.Object.Namespace+"/"+r.Object.Name)
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			return fmt.Errorf("rows %v, the server's pods in shop %v", names, want)
		}
		if p := snap.Problems["cluster1"]; p != "only namespace shop: you may not list pods cluster-wide" {
			return fmt.Errorf("cluster1's note is %q", p)
		}
		return nil
	})
}
