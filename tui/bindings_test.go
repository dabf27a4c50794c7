package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
)

// shopWork is the ManifestWork of shop-policy on a WEC, its web Deployment
// with available replicas of 2 as its agent reports.
func shopWork(cluster, available string) kube.WorkStatus {
	yes := kube.Condition{Status: "True"}
	return kube.WorkStatus{Cluster: cluster, Name: "shop-policy-work", Policy: "shop-policy", Applied: yes, Manifests: []kube.ManifestStatus{
		{ObjectRef: kube.ObjectRef{Group: "apps", Version: "v1", Kind: "Deployment", Resource: "deployments", Namespace: "shop", Name: "web"},
			Applied: yes, Available: yes, Feedback: map[string]string{"Replicas": "2", "AvailableReplicas": available}},
	}}
}

// bindingsModel is the test fleet with shop-policy's ManifestWorks on
// cluster1 (available), cluster2 (1 of 2 available) and cluster3, which
// wecs cannot reach.
func bindingsModel() Model {
	m := newModel()
	f := m.fleet.(fakeFleet)
	f.works = []kube.WorkStatus{shopWork("cluster1", "2"), shopWork("cluster2", "1"), shopWork("cluster3", "2")}
	f.members = append(f.members, kube.Member{ClusterInfo: kube.ClusterInfo{Name: "cluster3", Health: kube.HealthUnknown, Created: created},
		Connection: kube.Connection{State: kube.Unbound, Err: "no kubeconfig context reaches it"}})
	// The tree's Deployments are in their API group, as the WECs serve them.
	for _, c := range []string{"cluster1", "cluster2"} {
		web := m.objects.Find(kube.Filter{Clusters: []string{c}, Kinds: []string{"Deployment"}, Name: "web"})[0]
		web.Group = "apps"
		m.objects.Upsert(web)
	}
	m = New(Config{ITSContext: "its1"}, f, m.objects)
	return send(m, tea.WindowSizeMsg{Width: 140, Height: 30})
}

func TestBindingsViewShowsEachCopysStateAndJumpsToIt(t *testing.T) {
	m := send(bindingsModel(), keys("B")...)
	s := screen(m)
	for _, want := range []string{"Bindings · 1 policies · 3 WECs selected · 1 gaps", "no WDS: policies from the ManifestWorks' labels",
		"shop-policy → cluster1, cluster2, cluster3 · 1 gaps", "shop/Deployment web", "cluster1       ✓ Available 2/2",
		"! cluster2       ◐ NotAvailable  1 of 2 replicas available", "cluster3       ✓ Available 2/2"} {
		if !strings.Contains(s, want) {
			t.Fatalf("bindings view lacks %q:\n%s", want, s)
		}
	}
	// "/" keeps the copies that match.
	m = send(m, keys("/", "notavail")...)
	if s := screen(m); !strings.Contains(s, "cluster2") || strings.Contains(s, "cluster1       ✓") || !strings.Contains(s, "(1 copies)") {
		t.Fatalf("/notavail left:\n%s", s)
	}
	m = send(m, keys("esc")...)
	// Enter on cluster1's copy shows the Deployment in the tree.
	m = send(m, keys("j", "j", "enter")...)
	if s := screen(m); !strings.Contains(s, "cluster1 › shop › Deployment web") {
		t.Fatalf("enter on cluster1's copy did not reveal it:\n%s", s)
	}
	// cluster3 cannot be reached: enter shows the copy its ManifestWork
	// reports, in the tree under cluster3, marked.
	m = send(m, keys("B", "G", "enter")...)
	s = screen(m)
	for _, want := range []string{"cluster3 › shop › Deployment web", "web ✓ Available 2/2 ⇣ delivered", "1 delivered, from the ITS", "cluster3 cannot be reached"} {
		if !strings.Contains(s, want) {
			t.Fatalf("enter on cluster3's copy: screen lacks %q:\n%s", want, s)
		}
	}
	// What cluster3 holds is not read from it, nor acted on.
	m = send(m, keys("e")...)
	if s := screen(m); !strings.Contains(s, "Known only from the ITS: wecs does not read cluster3") ||
		!strings.Contains(s, "edit: cluster3 cannot be reached; this object is known only from its ManifestWork on the ITS") {
		t.Fatalf("the pane and e on cluster3's copy:\n%s", s)
	}
}

// TestBindingsViewClaimsNoGapBeforeTheManifestWorksAreListed: while the
// ITS's ManifestWorks list, every copy would read NotDelivered; the view
// says their state is not known yet, and why when their list fails.
func TestBindingsViewClaimsNoGapBeforeTheManifestWorksAreListed(t *testing.T) {
	f := newModel().fleet.(fakeFleet)
	for i := range f.members {
		f.members[i].Accepted = true
	}
	f.worksListing = true
	bindingsOf := func(f fakeFleet) string {
		m := New(Config{ITSContext: "its1", WDS: fakeWDS{}, WDSContext: "wds1"}, f, testTree())
		return screen(send(send(m, tea.WindowSizeMsg{Width: 200, Height: 30}), keys("B")...))
	}
	s := bindingsOf(f)
	for _, want := range []string{"Bindings · 1 policies · 2 WECs selected · listing the ITS's ManifestWorks …", "shop-policy → cluster1, cluster2",
		"cluster1       … state not known: the ITS's ManifestWorks are not listed yet"} {
		if !strings.Contains(s, want) {
			t.Fatalf("bindings view while the ManifestWorks list lacks %q:\n%s", want, s)
		}
	}
	for _, wrong := range []string{"gaps", "NotDelivered", "! "} {
		if strings.Contains(s, wrong) {
			t.Fatalf("bindings view while the ManifestWorks list shows %q:\n%s", wrong, s)
		}
	}
	// "/" finds only what is shown: no copy by a state not known yet.
	m := New(Config{ITSContext: "its1", WDS: fakeWDS{}, WDSContext: "wds1"}, f, testTree())
	m = send(send(m, tea.WindowSizeMsg{Width: 200, Height: 30}), keys("B")...)
	if s := screen(send(m, keys("/", "notdelivered")...)); !strings.Contains(s, "Nothing matches /notdelivered") {
		t.Fatalf("/notdelivered while the ManifestWorks list:\n%s", s)
	}
	if s := screen(send(m, keys("/", "cluster2")...)); !strings.Contains(s, "cluster2       … state not known") || !strings.Contains(s, "(1 copies)") {
		t.Fatalf("/cluster2 while the ManifestWorks list:\n%s", s)
	}
	f.worksProblem = `manifestworks.work.open-cluster-management.io is forbidden: User "dev" cannot list resource "manifestworks"`
	if s := bindingsOf(f); !strings.Contains(s, `the ITS's ManifestWorks cannot be read: manifestworks.work.open-cluster-management.io is forbidden`) {
		t.Fatalf("bindings view with the ManifestWorks forbidden:\n%s", s)
	}
}

// TestAnIdleWECsCopyShowsFromTheITS: connecting lazily, cluster3 is not
// watched yet; its copy shows as its ManifestWork reports it, and what
// refuses to act on it says why truthfully.
func TestAnIdleWECsCopyShowsFromTheITS(t *testing.T) {
	m := bindingsModel()
	f := m.fleet.(fakeFleet)
	f.members[len(f.members)-1].Connection = kube.Connection{State: kube.Idle}
	m = send(New(Config{ITSContext: "its1"}, f, m.objects), tea.WindowSizeMsg{Width: 140, Height: 30})
	m = send(m, keys("B")...)
	m = send(m, keys("G", "enter")...)
	s := screen(m)
	for _, want := range []string{"cluster3 › shop › Deployment web", "web ✓ Available 2/2 ⇣ delivered", "1 delivered, from the ITS ◌ Idle",
		"cluster3 is not watched yet (enter on its row in the tree connects it): Deployment web as its ManifestWork"} {
		if !strings.Contains(s, want) {
			t.Fatalf("enter on cluster3's copy: screen lacks %q:\n%s", want, s)
		}
	}
	m = send(m, keys("e")...)
	if s := screen(m); !strings.Contains(s, "edit: cluster3 is not watched yet") {
		t.Fatalf("e on cluster3's copy:\n%s", s)
	}
}
