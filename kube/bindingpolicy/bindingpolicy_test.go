package bindingpolicy

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseReadsKubeStellarFieldNames(t *testing.T) {
	p, err := Parse([]byte(`{"apiVersion":"control.kubestellar.io/v1alpha1","kind":"BindingPolicy","metadata":{"name":"nginx"},
		"spec":{"clusterSelectors":[{"matchLabels":{"location-group":"edge"}}],
		"downsync":[{"apiGroup":"apps","resources":["deployments"],"namespaces":["shop"],"objectNames":["web"],
		  "objectSelectors":[{"matchLabels":{"app":"web"}}],"namespaceSelectors":[{"matchLabels":{"team":"a"}}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := p.Downsync[0]
	if p.Name != "nginx" || len(p.ClusterSelectors) != 1 || d.APIGroup == nil || *d.APIGroup != "apps" ||
		d.Resources[0] != "deployments" || d.Namespaces[0] != "shop" || d.ObjectNames[0] != "web" ||
		d.ObjectSelectors[0].MatchLabels["app"] != "web" || d.NamespaceSelectors[0].MatchLabels["team"] != "a" {
		t.Errorf("parsed %+v", p)
	}
	if _, err := Parse([]byte(`{"spec":{"clusterSelectors":"edge"}}`)); err == nil {
		t.Error("a clusterSelectors that is not a list parsed")
	}
}

func TestClusterMatcherSelectsByAnySelector(t *testing.T) {
	p := Policy{ClusterSelectors: []metav1.LabelSelector{
		{MatchLabels: map[string]string{"tier": "premium"}},
		{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "name", Operator: metav1.LabelSelectorOpIn, Values: []string{"cluster2"}}}},
	}}
	for labels, want := range map[string]bool{"tier=premium": true, "name=cluster2": true, "name=cluster3": false} {
		k, v, _ := strings.Cut(labels, "=")
		if got := p.ClusterMatcher()(map[string]string{k: v}); got != want {
			t.Errorf("%s: selected %v, want %v", labels, got, want)
		}
	}
	if (Policy{}).ClusterMatcher()(map[string]string{"a": "b"}) {
		t.Error("a policy without cluster selectors selected a cluster")
	}
}

func TestSelectsObjectNeedsEveryCriterionOfOneTest(t *testing.T) {
	apps, core := "apps", ""
	web := WorkloadObject{Group: "apps", Resource: "deployments", Namespace: "shop", Name: "web",
		Labels: map[string]string{"app": "web"}, NamespaceLabels: map[string]string{"team": "a"}}
	cases := []struct {
		name string
		test DownsyncTest
		want bool
	}{
		{"group and resource", DownsyncTest{APIGroup: &apps, Resources: []string{"deployments"}}, true},
		{"other group", DownsyncTest{APIGroup: &core, Resources: []string{"deployments"}}, false},
		{"any group, wildcard name", DownsyncTest{ObjectNames: []string{"*"}, Namespaces: []string{"shop"}}, true},
		{"other namespace", DownsyncTest{APIGroup: &apps, Namespaces: []string{"batch"}}, false},
		{"other name", DownsyncTest{APIGroup: &apps, ObjectNames: []string{"api"}}, false},
		{"object selector", DownsyncTest{ObjectSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"app": "web"}}}}, true},
		{"object selector misses", DownsyncTest{ObjectSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"app": "api"}}}}, false},
		{"namespace selector", DownsyncTest{NamespaceSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"team": "a"}}}}, true},
		{"namespace selector misses", DownsyncTest{NamespaceSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"team": "b"}}}}, false},
	}
	for _, c := range cases {
		if got := (Policy{Downsync: []DownsyncTest{c.test}}).SelectsObject(web); got != c.want {
			t.Errorf("%s: selected %v, want %v", c.name, got, c.want)
		}
	}
	clusterScoped := WorkloadObject{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "viewer"}
	if (Policy{Downsync: []DownsyncTest{{Namespaces: []string{"shop"}}}}).SelectsObject(clusterScoped) {
		t.Error("a namespace list selected a cluster-scoped object")
	}
	if !(Policy{Downsync: []DownsyncTest{{Namespaces: []string{"*"}, ObjectNames: []string{"viewer"}}}}).SelectsObject(clusterScoped) {
		t.Error(`namespaces ["*"] did not select a cluster-scoped object`)
	}
}
