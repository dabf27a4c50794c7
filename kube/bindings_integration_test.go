package kube_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// TestFleetWatchesTheManifestWorksStatus: the fleet's ManifestWork watch
// keeps what the work agents report, so the bindings it computes equal a
// fresh read of the ITS and the WDS, with the web Deployment's replica
// feedback in them.
func TestFleetWatchesTheManifestWorksStatus(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	itsCfg, err := s.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	wdsCfg, err := s.RESTConfig(sandbox.WDS)
	if err != nil {
		t.Fatal(err)
	}
	wds, err := bindingpolicy.Read(t.Context(), dynamic.NewForConfigOrDie(wdsCfg), discovery.NewDiscoveryClientForConfigOrDie(wdsCfg))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the fleet's bindings equal a fresh read", func() error {
		if listed, problem := f.WorksListed(); !listed || problem != "" {
			return fmt.Errorf("WorksListed() = %v, %q", listed, problem)
		}
		var clusters []kube.ClusterLabels
		for _, m := range f.Members() {
			clusters = append(clusters, kube.ClusterLabels{Name: m.Name, Labels: m.Labels, Accepted: m.Accepted})
		}
		watched := kube.ComputeBindings(&wds, clusters, f.Works())
		read, err := kube.ReadBindings(t.Context(), itsCfg, wdsCfg)
		if err != nil {
			return err
		}
		a, _ := json.Marshal(watched)
		b, _ := json.Marshal(read)
		if string(a) != string(b) {
			return fmt.Errorf("watched:\n%s\nread:\n%s", a, b)
		}
		for _, p := range watched {
			for _, o := range p.Objects {
				for _, d := range o.Deliveries {
					if p.Name == sandbox.ShopPolicy && o.Kind == "Deployment" && d.Cluster == "cluster1" && d.Feedback["AvailableReplicas"] != "3" {
						return fmt.Errorf("web on cluster1: feedback %v, want AvailableReplicas 3", d.Feedback)
					}
				}
			}
		}
		return nil
	})
}
