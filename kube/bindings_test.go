package kube

import (
	"maps"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	workv1 "open-cluster-management.io/api/work/v1"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// fakeWDS has one policy, "web", selecting WECs labelled edge=yes and the
// shop Deployment web.
func fakeWDS() *bindingpolicy.WDS {
	apps := "apps"
	web := &unstructured.Unstructured{}
	return &bindingpolicy.WDS{
		Policies: []bindingpolicy.Policy{{Name: "web",
			ClusterSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"edge": "yes"}}},
			Downsync:         []bindingpolicy.DownsyncTest{{APIGroup: &apps, Resources: []string{"deployments"}}}}},
		Objects: []bindingpolicy.Staged{{APIVersion: "apps/v1", Kind: "Deployment", Object: web,
			WorkloadObject: bindingpolicy.WorkloadObject{Group: "apps", Resource: "deployments", Namespace: "shop", Name: "web"}}},
	}
}

func webWork(cluster string, conds []metav1.Condition, feedback map[string]int64) *workv1.ManifestWork {
	mw := &workv1.ManifestWork{ObjectMeta: metav1.ObjectMeta{Namespace: cluster, Name: "web-wds1",
		Labels: map[string]string{BindingPolicyLabel: "web", WDSLabel: "wds1"}}}
	m := workv1.ManifestCondition{ResourceMeta: workv1.ManifestResourceMeta{Group: "apps", Version: "v1", Kind: "Deployment",
		Resource: "deployments", Namespace: "shop", Name: "web"}, Conditions: conds}
	for name, v := range feedback {
		m.StatusFeedbacks.Values = append(m.StatusFeedbacks.Values, workv1.FeedbackValue{Name: name,
			Value: workv1.FieldValue{Type: workv1.Integer, Integer: ptr.To(v)}})
	}
	mw.Status.ResourceStatus.Manifests = []workv1.ManifestCondition{m}
	return mw
}

func cond(typ string, status metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg}
}

func TestComputeBindingsNamesEveryGap(t *testing.T) {
	applied := cond(workv1.ManifestApplied, metav1.ConditionTrue, "AppliedManifestComplete", "")
	exists := cond(workv1.ManifestAvailable, metav1.ConditionTrue, "ResourceAvailable", "")
	clusters := []ClusterLabels{
		{Name: "ok", Labels: map[string]string{"edge": "yes"}, Accepted: true},
		{Name: "pending", Labels: map[string]string{"edge": "yes"}, Accepted: true},
		{Name: "broken", Labels: map[string]string{"edge": "yes"}, Accepted: true},
		{Name: "starved", Labels: map[string]string{"edge": "yes"}, Accepted: true},
		{Name: "gone", Labels: map[string]string{"edge": "no"}, Accepted: true},
		{Name: "unaccepted", Labels: map[string]string{"edge": "yes"}},
	}
	works := []WorkStatus{
		WorkStatusOf(webWork("ok", []metav1.Condition{applied, exists}, map[string]int64{"Replicas": 3, "AvailableReplicas": 3})),
		WorkStatusOf(webWork("broken", []metav1.Condition{cond(workv1.ManifestApplied, metav1.ConditionFalse, "AppliedManifestFailed", `namespaces "shop" not found`)}, nil)),
		WorkStatusOf(webWork("starved", []metav1.Condition{applied, exists}, map[string]int64{"Replicas": 3})),
		WorkStatusOf(webWork("gone", []metav1.Condition{applied, exists}, map[string]int64{"Replicas": 1, "AvailableReplicas": 1})),
	}
	got := ComputeBindings(fakeWDS(), clusters, works)
	if len(got) != 1 {
		t.Fatalf("bindings %+v, want one policy", got)
	}
	p := got[0]
	if want := []string{"broken", "ok", "pending", "starved"}; !slices.Equal(p.Clusters, want) {
		t.Errorf("selected %v, want %v (not the unlabelled nor the unaccepted WEC)", p.Clusters, want)
	}
	if len(p.Objects) != 1 || p.Objects[0].Name != "web" || p.Objects[0].Version != "v1" {
		t.Fatalf("objects %+v", p.Objects)
	}
	want := map[string]struct {
		state  DeliveryState
		reason string
	}{
		"ok":      {Available, ""},
		"pending": {NotDelivered, "selected, but no ManifestWork in pending's namespace on the ITS"},
		"broken":  {NotApplied, `AppliedManifestFailed: namespaces "shop" not found`},
		"starved": {NotAvailable, "0 of 3 replicas available"},
		"gone":    {NotSelected, "delivered, but the policy no longer selects gone"},
	}
	ds := p.Objects[0].Deliveries
	if len(ds) != len(want) {
		t.Fatalf("deliveries %+v, want one per WEC of %v", ds, want)
	}
	for _, d := range ds {
		if w := want[d.Cluster]; d.State != w.state || d.Reason != w.reason {
			t.Errorf("%s: %s %q, want %s %q", d.Cluster, d.State, d.Reason, w.state, w.reason)
		}
	}
	if ds[2].Feedback["Replicas"] != "3" || ds[2].Feedback["AvailableReplicas"] != "3" || !ds[2].Applied || !ds[2].Available {
		t.Errorf("ok's delivery %+v, want applied, available, feedback 3 of 3", ds[2])
	}
	if p.Gaps() != 4 || !p.MissingCopies() {
		t.Errorf("gaps %d, missing copies %v; want 4, true", p.Gaps(), p.MissingCopies())
	}
}

func TestComputeBindingsWithoutAWDSUsesTheManifestWorks(t *testing.T) {
	applied := cond(workv1.ManifestApplied, metav1.ConditionTrue, "AppliedManifestComplete", "")
	exists := cond(workv1.ManifestAvailable, metav1.ConditionTrue, "ResourceAvailable", "")
	works := []WorkStatus{WorkStatusOf(webWork("c1", []metav1.Condition{applied, exists}, map[string]int64{"Replicas": 2, "AvailableReplicas": 2}))}
	got := ComputeBindings(nil, nil, works)
	if len(got) != 1 || got[0].FromWDS || !slices.Equal(got[0].Clusters, []string{"c1"}) || got[0].MissingCopies() ||
		len(got[0].Objects) != 1 || got[0].Objects[0].Deliveries[0].State != Available {
		t.Errorf("bindings %+v, want web on c1, Available, from the ManifestWorks", got)
	}
	if (PolicyBinding{}).MissingCopies() {
		t.Error("an empty policy misses copies")
	}
}

// TestAManifestWorksReportIsMadeInert: the identities and feedback values
// in a ManifestWork's status are anyone's text who may write it on the
// ITS; what wecs keeps of them holds no control character.
func TestAManifestWorksReportIsMadeInert(t *testing.T) {
	mw := webWork("cluster1", []metav1.Condition{cond(workv1.ManifestAvailable, metav1.ConditionTrue, "", "")}, nil)
	m := &mw.Status.ResourceStatus.Manifests[0]
	m.ResourceMeta.Kind = "Deploy\x1b]0;pwned\x07ment"
	m.ResourceMeta.Namespace = "shop\x1b[2J"
	m.StatusFeedbacks.Values = []workv1.FeedbackValue{
		{Name: "Replicas", Value: workv1.FieldValue{Type: workv1.String, String: ptr.To("3\x1b[31m")}},
		{Name: "AvailableReplicas", Value: workv1.FieldValue{Type: workv1.JsonRaw, JsonRaw: ptr.To("\u009b2J1")}},
	}
	for _, o := range WorkStatusOf(mw).Objects() {
		for _, text := range []string{o.Kind, o.Namespace, o.Ready} {
			if strings.ContainsAny(text, "\x1b\x07\u009b") {
				t.Errorf("%q keeps a control character", text)
			}
		}
	}
}

// TestStagedObjectsPairEachObjectWithItsPoliciesAndWECs: a WEC is counted
// once however many policies select it, an unaccepted one never, and an
// object no policy selects has neither.
func TestStagedObjectsPairEachObjectWithItsPoliciesAndWECs(t *testing.T) {
	wds := fakeWDS()
	apps := "apps"
	wds.Policies = append(wds.Policies, bindingpolicy.Policy{Name: "all-deployments", ClusterSelectors: []metav1.LabelSelector{{}},
		Downsync: []bindingpolicy.DownsyncTest{{APIGroup: &apps, Resources: []string{"deployments"}}}})
	wds.Objects = append(wds.Objects, bindingpolicy.Staged{APIVersion: "v1", Kind: "ConfigMap", Object: &unstructured.Unstructured{},
		WorkloadObject: bindingpolicy.WorkloadObject{Resource: "configmaps", Namespace: "shop", Name: "settings"}})
	for _, s := range wds.Objects {
		s.Object.SetNamespace(s.Namespace)
		s.Object.SetName(s.Name)
	}
	clusters := []ClusterLabels{
		{Name: "edge2", Labels: map[string]string{"edge": "yes"}, Accepted: true},
		{Name: "core", Labels: map[string]string{"edge": "no"}, Accepted: true},
		{Name: "edge1", Labels: map[string]string{"edge": "yes"}, Accepted: true},
		{Name: "waiting", Labels: map[string]string{"edge": "yes"}},
	}
	got := map[string]string{}
	for _, s := range StagedObjects("wds1", *wds, clusters) {
		if s.Object.Cluster != "wds1" || !s.Object.FromWDS {
			t.Errorf("%s is not marked as wds1's copy: %+v", s.Object.Name, s.Object)
		}
		got[s.Object.Name] = strings.Join(s.Policies, ",") + " → " + strings.Join(s.WECs, ",")
	}
	want := map[string]string{"web": "all-deployments,web → core,edge1,edge2", "settings": " → "}
	if !maps.Equal(got, want) {
		t.Errorf("staged objects: got %q, want %q", got, want)
	}
}
