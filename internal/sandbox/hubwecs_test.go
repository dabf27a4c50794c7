package sandbox_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	workv1 "open-cluster-management.io/api/work/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// TestHubWECsAreOnTheITSAsTheirAgentsWouldWriteThem: each simulated hub WEC
// is accepted and Available (so the hub's own registration controller has
// not found its lease stale), has its 10 ManifestWorks reported applied
// and available with the web Deployment's replicas, keeps the ones the
// policies give it (the transport leaves them alone), and its lease is
// renewed within a lease.
func TestHubWECsAreOnTheITSAsTheirAgentsWouldWriteThem(t *testing.T) {
	s := sandboxtest.HubWECs(t, 20)
	cfg, err := s.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	oc, wc, kc := clusterclient.NewForConfigOrDie(cfg), workclient.NewForConfigOrDie(cfg), kubernetes.NewForConfigOrDie(cfg)
	// The hub adds its HubAccepted condition on its own time, after the
	// simulator has written the rest.
	var unready []string
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		mcs, err := oc.ClusterV1().ManagedClusters().List(t.Context(), metav1.ListOptions{LabelSelector: sandbox.SimulatedLabel})
		if err != nil {
			t.Fatal(err)
		}
		if len(mcs.Items) != s.HubWECs {
			t.Fatalf("%d simulated ManagedClusters, want %d", len(mcs.Items), s.HubWECs)
		}
		unready = unready[:0]
		for _, mc := range mcs.Items {
			if !mc.Spec.HubAcceptsClient || !conditionTrue(mc.Status.Conditions, clusterv1.ManagedClusterConditionAvailable) ||
				!conditionTrue(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined) || !conditionTrue(mc.Status.Conditions, clusterv1.ManagedClusterConditionHubAccepted) {
				unready = append(unready, fmt.Sprintf("%s: accepted %v, conditions %+v", mc.Name, mc.Spec.HubAcceptsClient, mc.Status.Conditions))
			}
		}
		if len(unready) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute, %d hub WECs are not accepted, joined and available:\n%s", len(unready), strings.Join(unready, "\n"))
		}
	}
	for _, n := range []int{1, 2, 10} {
		name := sandbox.HubWECName(n)
		works, err := wc.WorkV1().ManifestWorks(name).List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(works.Items) != sandbox.HubWECWorks {
			t.Errorf("%s: %d ManifestWorks, want %d", name, len(works.Items), sandbox.HubWECWorks)
		}
		var names []string
		for _, mw := range works.Items {
			names = append(names, mw.Name)
			if !conditionTrue(mw.Status.Conditions, workv1.WorkApplied) || len(mw.Status.ResourceStatus.Manifests) == 0 {
				t.Errorf("%s/%s: not reported applied: %+v", name, mw.Name, mw.Status)
			}
		}
		// hub-wec-0001 is edge and monitored, 0002 edge only, 0010 edge
		// with its web Deployment short of a replica.
		if !strings.Contains(strings.Join(names, ","), sandbox.ManifestWorkName(sandbox.ShopPolicy)) {
			t.Errorf("%s has no %s: %v", name, sandbox.ManifestWorkName(sandbox.ShopPolicy), names)
		}
		monitored := strings.Contains(strings.Join(names, ","), sandbox.ManifestWorkName(sandbox.MonitoringPolicy))
		if monitored != (n%2 == 1) {
			t.Errorf("%s: monitoring ManifestWork %v, want %v", name, monitored, n%2 == 1)
		}
	}
	shop, err := wc.WorkV1().ManifestWorks(sandbox.HubWECName(10)).Get(t.Context(), sandbox.ManifestWorkName(sandbox.ShopPolicy), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	feedback := map[string]int64{}
	for _, m := range shop.Status.ResourceStatus.Manifests {
		for _, v := range m.StatusFeedbacks.Values {
			if m.ResourceMeta.Kind == "Deployment" && v.Value.Integer != nil {
				feedback[v.Name] = *v.Value.Integer
			}
		}
	}
	if feedback["Replicas"] != 3 || feedback["AvailableReplicas"] != 2 {
		t.Errorf("%s's web feedback %v, want 2 of 3 replicas available", sandbox.HubWECName(10), feedback)
	}
	first := leaseRenewed(t, kc, sandbox.HubWECName(1))
	deadline := time.Now().Add(sandbox.HubWECLeaseSeconds*time.Second + 30*time.Second)
	for !leaseRenewed(t, kc, sandbox.HubWECName(1)).After(first) {
		if time.Now().After(deadline) {
			t.Fatalf("the lease of %s was not renewed since %s", sandbox.HubWECName(1), first)
		}
		time.Sleep(2 * time.Second)
	}
}

func leaseRenewed(t *testing.T, kc kubernetes.Interface, cluster string) time.Time {
	lease, err := kc.CoordinationV1().Leases(cluster).Get(t.Context(), "managed-cluster-lease", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return lease.Spec.RenewTime.Time
}
