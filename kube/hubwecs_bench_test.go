package kube_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// The hub WEC benchmarks run against a sandbox with 1,000 simulated WECs
// that exist only on the ITS, 10 ManifestWorks each.
const hubWECs = 1000

// BenchmarkHubWECsBindingsFromStart is the bindings over the 1,000 hub
// WECs from the start of a Fleet: its ITS watches listed (ManagedClusters
// and every ManifestWork), the WDS read and the bindings computed, as a
// bindings view opened at start would show them.
func BenchmarkHubWECsBindingsFromStart(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	kc, _ := kubeconfigAt(b, s.Kubeconfig)
	wdsCfg, err := s.RESTConfig(sandbox.WDS)
	if err != nil {
		b.Fatal(err)
	}
	dyn, disc := dynamic.NewForConfigOrDie(wdsCfg), discovery.NewDiscoveryClientForConfigOrDie(wdsCfg)
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		f := kube.NewFleet(kc, "its1", kube.FleetOptions{Connect: kube.ConnectLazy})
		if err := f.Start(ctx); err != nil {
			b.Fatal(err)
		}
		wds, err := bindingpolicy.Read(ctx, dyn, disc)
		if err != nil {
			b.Fatal(err)
		}
		for len(f.Works()) < s.HubWECs*sandbox.HubWECWorks {
			time.Sleep(5 * time.Millisecond)
		}
		checkHubWECBindings(b, s, kube.ComputeBindings(&wds, fleetClusterLabels(f), f.Works()))
		cancel()
	}
}

// BenchmarkHubWECsComputeBindings is one computation of the bindings over
// the 1,000 hub WECs from a running fleet's members and ManifestWorks: what
// a bindings view does on a change.
func BenchmarkHubWECsComputeBindings(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	kc, _ := kubeconfigAt(b, s.Kubeconfig)
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{Connect: kube.ConnectLazy})
	if err := f.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	wdsCfg, err := s.RESTConfig(sandbox.WDS)
	if err != nil {
		b.Fatal(err)
	}
	wds, err := bindingpolicy.Read(b.Context(), dynamic.NewForConfigOrDie(wdsCfg), discovery.NewDiscoveryClientForConfigOrDie(wdsCfg))
	if err != nil {
		b.Fatal(err)
	}
	for len(f.Works()) < s.HubWECs*sandbox.HubWECWorks {
		time.Sleep(5 * time.Millisecond)
	}
	var bindings []kube.PolicyBinding
	for b.Loop() {
		bindings = kube.ComputeBindings(&wds, fleetClusterLabels(f), f.Works())
	}
	checkHubWECBindings(b, s, bindings)
}

func fleetClusterLabels(f *kube.Fleet) []kube.ClusterLabels {
	var out []kube.ClusterLabels
	for _, m := range f.Members() {
		out = append(out, kube.ClusterLabels{Name: m.Name, Labels: m.Labels, Accepted: m.Accepted})
	}
	return out
}

// checkHubWECBindings wants shop-policy to select the edge hub WECs (three
// in four) with their simulated copies: the last one's web Deployment
// available, and every tenth one's not.
func checkHubWECBindings(b *testing.B, s *sandbox.State, bindings []kube.PolicyBinding) {
	i := slices.IndexFunc(bindings, func(p kube.PolicyBinding) bool { return p.Name == sandbox.ShopPolicy })
	if i < 0 {
		b.Fatalf("no %s among %d bindings", sandbox.ShopPolicy, len(bindings))
	}
	shop := bindings[i]
	hub := 0
	for _, c := range shop.Clusters {
		if _, ok := s.Cluster(c); !ok {
			hub++
		}
	}
	if want := s.HubWECs - s.HubWECs/4; hub != want {
		b.Fatalf("%s selects %d hub WECs, want %d", sandbox.ShopPolicy, hub, want)
	}
	states := map[string]kube.DeliveryState{}
	for _, o := range shop.Objects {
		if o.Kind == "Deployment" {
			for _, d := range o.Deliveries {
				states[d.Cluster] = d.State
			}
		}
	}
	if got := states[sandbox.HubWECName(1)]; got != kube.Available {
		b.Errorf("%s's web on %s is %s, want %s", sandbox.ShopPolicy, sandbox.HubWECName(1), got, kube.Available)
	}
	if got := states[sandbox.HubWECName(10)]; got != kube.NotAvailable {
		b.Errorf("%s's web on %s is %s, want %s", sandbox.ShopPolicy, sandbox.HubWECName(10), got, kube.NotAvailable)
	}
}
