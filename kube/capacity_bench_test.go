package kube_test

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
)

// scaleTree is the bench sandbox's scale, synthetic: 3 WECs of 150 nodes and
// 3,500 pods each, under 70 Deployments per WEC.
func scaleTree() *kube.Tree {
	tree := kube.NewTree()
	for c := 1; c <= 3; c++ {
		cluster := fmt.Sprintf("cluster%d", c)
		for n := 0; n < 150; n++ {
			name := fmt.Sprintf("%s-node-%03d", cluster, n)
			tree.Upsert(kube.Object{Cluster: cluster, Kind: "Node", Name: name, UID: types.UID(name), Status: kube.StatusReady,
				Usage: &kube.Usage{CPU: 32000, Memory: 128 << 30, Pods: 110}})
		}
		for d := 0; d < 70; d++ {
			dep := types.UID(fmt.Sprintf("%s-load-%03d", cluster, d))
			tree.Upsert(kube.Object{Cluster: cluster, Namespace: "load", Kind: "Deployment", Name: fmt.Sprintf("load-%03d", d), UID: dep, Status: kube.StatusReady, Ready: "50/50"})
			for p := 0; p < 50; p++ {
				i := d*50 + p
				tree.Upsert(kube.Object{Cluster: cluster, Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("load-%03d-%d", d, p),
					UID: types.UID(fmt.Sprintf("%s-pod-%d", cluster, i)), Owners: []types.UID{dep}, Status: kube.StatusRunning,
					Usage: &kube.Usage{Node: fmt.Sprintf("%s-node-%03d", cluster, i%150), CPU: 100, Memory: 128 << 20}})
			}
		}
	}
	return tree
}

// BenchmarkNodeCapacity builds one WEC's node capacity (150 nodes, 3,500
// pods) and lists the pods of one node: what the nodes view does on a change.
func BenchmarkNodeCapacity(b *testing.B) {
	tree := scaleTree()
	for b.Loop() {
		nc := tree.NodeCapacity("cluster2")
		if len(nc.Nodes) != 150 || len(tree.PodsOn("cluster2", nc.Nodes[0].Name)) == 0 {
			b.Fatalf("%d nodes", len(nc.Nodes))
		}
	}
}

// BenchmarkHealthCheck compares 3 WECs of 3,500 pods under 70 Deployments each.
func BenchmarkHealthCheck(b *testing.B) {
	tree := scaleTree()
	clusters := []string{"cluster1", "cluster2", "cluster3"}
	for b.Loop() {
		if hc := tree.HealthCheck(clusters, noDeliveries{}, false); len(hc.Spreads) != 70 {
			b.Fatalf("%d spreads", len(hc.Spreads))
		}
	}
}

type noDeliveries struct{}

func (noDeliveries) BindingPolicy(string, string) string { return "" }
func (noDeliveries) PolicyClusters(string) []string      { return nil }
