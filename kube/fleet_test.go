package kube

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	workv1 "open-cluster-management.io/api/work/v1"
)

func TestBindingPolicyFromManifestWorks(t *testing.T) {
	f := NewFleet(nil, "its1", FleetOptions{})
	f.workChanged(&workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Namespace: "cluster1", Name: "shop-web",
		Labels: map[string]string{BindingPolicyLabel: "edge-shop"}}})
	hash := "0f9c2c5b3a4e5d6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"
	cases := map[string]string{hash + "-shop-web": "edge-shop", "shop-web": "edge-shop", hash + "-other": "", "": ""}
	for applied, want := range cases {
		if got := f.BindingPolicy("cluster1", applied); got != want {
			t.Errorf("BindingPolicy(cluster1, %q) = %q, want %q", applied, got, want)
		}
	}
	if got := f.BindingPolicy("cluster2", hash+"-shop-web"); got != "" {
		t.Errorf("another cluster's work matched: %q", got)
	}
	f.workDeleted(&workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Namespace: "cluster1", Name: "shop-web"}})
	if got := f.BindingPolicy("cluster1", "shop-web"); got != "" {
		t.Errorf("deleted work still gives %q", got)
	}
}

// TestMembersAreTheClustersACommandReads: a fleet restricted to one WEC (a
// command about one object) has it alone as member; the ITS's other
// clusters stay known by name.
func TestMembersAreTheClustersACommandReads(t *testing.T) {
	for _, tc := range []struct {
		only []string
		want string
	}{{nil, "cluster1,cluster2,cluster3"}, {[]string{"cluster2"}, "cluster2"}} {
		f := NewFleet(nil, "its1", FleetOptions{Clusters: tc.only})
		for _, name := range []string{"cluster1", "cluster2", "cluster3"} {
			f.clusters[name] = &clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: name}}
		}
		var names []string
		for _, m := range f.Members() {
			names = append(names, m.Name)
		}
		if got := strings.Join(names, ","); got != tc.want {
			t.Errorf("with Clusters %v the members are %s, want %s", tc.only, got, tc.want)
		}
		if got := strings.Join(f.ClusterNames(), ","); got != "cluster1,cluster2,cluster3" {
			t.Errorf("with Clusters %v the cluster names are %s", tc.only, got)
		}
	}
}

// TestDeliveredObjectsFollowTheManifestWorks: the objects delivered to a WEC
// are kept once made, sorted, and follow each change of its ManifestWorks;
// the deletion of the WEC drops them.
func TestDeliveredObjectsFollowTheManifestWorks(t *testing.T) {
	work := func(name string, manifests ...string) *workv1.ManifestWork {
		mw := &workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Namespace: "cluster1", Name: name}}
		for _, m := range manifests {
			mw.Status.ResourceStatus.Manifests = append(mw.Status.ResourceStatus.Manifests, workv1.ManifestCondition{
				ResourceMeta: workv1.ManifestResourceMeta{Version: "v1", Kind: "ConfigMap", Resource: "configmaps", Namespace: "shop", Name: m}})
		}
		return mw
	}
	names := func(f *Fleet) string {
		var out []string
		for _, o := range f.DeliveredObjects("cluster1") {
			out = append(out, o.Name)
		}
		return strings.Join(out, ",")
	}
	f := NewFleet(nil, "its1", FleetOptions{})
	f.workChanged(work("w1", "zeta", "alpha"))
	if got := names(f); got != "alpha,zeta" {
		t.Fatalf("delivered %s, want alpha,zeta", got)
	}
	f.workChanged(work("w2", "mid"))
	if got := names(f); got != "alpha,mid,zeta" {
		t.Fatalf("after a second ManifestWork, delivered %s", got)
	}
	f.workDeleted(work("w1"))
	if got := names(f); got != "mid" {
		t.Fatalf("after w1 was deleted, delivered %s", got)
	}
	f.clusterDeleted(&clusterv1.ManagedCluster{ObjectMeta: metav1.ObjectMeta{Name: "cluster1"}})
	if kept, ok := f.delivered["cluster1"]; ok {
		t.Errorf("the deleted cluster's delivered objects are still kept: %v", kept)
	}
}

// TestReleasingTheWECsTwiceOrUnheldIsHarmless: a UI releases the WECs
// whether or not its fleet held them, and may do so again.
func TestReleasingTheWECsTwiceOrUnheldIsHarmless(t *testing.T) {
	for _, hold := range []bool{false, true} {
		f := NewFleet(nil, "its1", FleetOptions{HoldWECs: hold})
		select {
		case <-f.mayList:
			if hold {
				t.Fatal("a held fleet may list before its release")
			}
		default:
			if !hold {
				t.Fatal("a fleet that holds nothing may not list")
			}
		}
		f.ReleaseWECs()
		f.ReleaseWECs()
		select {
		case <-f.mayList:
		default:
			t.Fatalf("hold %v: may not list after the release", hold)
		}
	}
}
