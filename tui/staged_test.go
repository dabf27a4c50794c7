package tui

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// fakeWDS holds shop-policy, which selects every WEC and the objects of
// namespace shop, a Deployment shop/web and a ConfigMap reports/orphan that
// no policy selects; it records the edits sent to it.
type fakeWDS struct {
	updates *[]string
	denied  bool
}

func stagedObject(apiVersion, kind, resource, namespace, name string, labels map[string]string) bindingpolicy.Staged {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": namespace, "uid": "wds1-" + name, "resourceVersion": "7"},
		"spec":     map[string]any{"replicas": int64(2)}}}
	u.SetLabels(labels)
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.Contains(apiVersion, "/") {
		group = ""
	}
	return bindingpolicy.Staged{APIVersion: apiVersion, Kind: kind, Object: u,
		WorkloadObject: bindingpolicy.WorkloadObject{Group: group, Resource: resource, Namespace: namespace, Name: name, Labels: labels}}
}

// Read answers with reports-policy too, selecting the orphan, once the
// orphan was edited: as if the edit had given it a label some policy asks for.
// Once shop/web was edited, its copy has the label edited=yes.
func (f fakeWDS) Read(context.Context) (bindingpolicy.WDS, error) {
	policies := []bindingpolicy.Policy{{Name: "shop-policy", ClusterSelectors: []metav1.LabelSelector{{}},
		Downsync: []bindingpolicy.DownsyncTest{{Namespaces: []string{"shop"}}}}}
	webLabels := map[string]string{"app": "web"}
	if f.edited("shop/web") {
		webLabels["edited"] = "yes"
	}
	if f.edited("reports/orphan") {
		policies = append(policies, bindingpolicy.Policy{Name: "reports-policy", ClusterSelectors: []metav1.LabelSelector{{}},
			Downsync: []bindingpolicy.DownsyncTest{{Namespaces: []string{"reports"}}}})
	}
	return bindingpolicy.WDS{
		Policies: policies,
		Objects: []bindingpolicy.Staged{
			stagedObject("apps/v1", "Deployment", "deployments", "shop", "web", webLabels),
			stagedObject("v1", "ConfigMap", "configmaps", "reports", "orphan", nil),
		},
	}, nil
}

// edited says whether an edit of the namespace/name ref was sent.
// Changed: this WDS tells no changes; views read it every few seconds.
func (f fakeWDS) Changed() <-chan struct{} { return nil }

func (f fakeWDS) edited(ref string) bool {
	return f.updates != nil && slices.ContainsFunc(*f.updates, func(u string) bool { return strings.Contains(u, ref+": ") })
}

func (f fakeWDS) EditableText(_ context.Context, o kube.Object, _ bool) ([]byte, error) {
	return []byte("kind: " + o.Kind + "\nmetadata:\n  name: " + o.Name + "\n"), nil
}

func (f fakeWDS) Update(_ context.Context, o kube.Object, _, text []byte) error {
	*f.updates = append(*f.updates, o.Cluster+" "+o.Ref()+": "+string(text))
	return nil
}

func (f fakeWDS) Can(_ context.Context, verb string, o kube.Object) kube.Permission {
	if f.denied {
		return kube.Permission{Reason: "your user may not " + verb + " " + o.Resource + " on " + o.Cluster}
	}
	return kube.Permission{Allowed: true}
}

// stagedModel is the test fleet with the fake WDS wds1, read-only or not.
func stagedModel(wds fakeWDS, readOnly bool) Model {
	f := newModel().fleet.(fakeFleet)
	for i := range f.members {
		f.members[i].Accepted = true
	}
	m := New(Config{ITSContext: "its1", WDS: wds, WDSContext: "wds1", ReadOnly: readOnly}, f, testTree())
	return send(m, tea.WindowSizeMsg{Width: 140, Height: 30})
}

func TestStagedViewListsTheWDSsObjectsWithTheirPolicies(t *testing.T) {
	m := send(stagedModel(fakeWDS{updates: new([]string)}, false), keys("W")...)
	s := screen(m)
	for _, want := range []string{"Staged workloads · WDS wds1 · 2 objects · 1 selected by no policy",
		"KIND        NAMESPACE  NAME    LABELS   POLICIES",
		"Deployment  shop       web     app=web  shop-policy",
		"ConfigMap   reports    orphan  <none>   ! no policy"} {
		if !strings.Contains(s, want) {
			t.Fatalf("staged view lacks %q:\n%s", want, s)
		}
	}
	// ":wds" opens it too; "/" keeps the rows that match.
	m = send(m, keys("esc", ":wds", "enter")...)
	m = send(m, keys("/", "no policy")...)
	if s := screen(m); strings.Contains(s, "Deployment  shop") || !strings.Contains(s, "orphan") || !strings.Contains(s, "(1 of 2)") {
		t.Fatalf("/no policy left:\n%s", s)
	}
}

func TestStagedObjectShowsTheWDSsCopyAndItsEditGoesToTheWDS(t *testing.T) {
	wds := fakeWDS{updates: new([]string)}
	m := send(send(stagedModel(wds, false), keys("W")...), keys("enter")...)
	s := screen(m)
	for _, want := range []string{"wds1 › shop › Deployment web (WDS)", "The WDS wds1's copy, which KubeStellar delivers",
		"Deployment shop/web in the WDS wds1", "app=web"} {
		if !strings.Contains(s, want) {
			t.Fatalf("the Summary of the staged Deployment lacks %q:\n%s", want, s)
		}
	}
	m = send(m, keys("y")...)
	if s := screen(m); !strings.Contains(s, "replicas: 2") || !strings.Contains(s, "wds1 › shop › Deployment web (WDS)") {
		t.Fatalf("the YAML of the staged Deployment:\n%s", s)
	}
	// Nothing of it is watched on a WEC: not its events (p), not its logs,
	// and r reconnects no cluster from here.
	m = send(m, keys("tab", "p")...)
	m = send(m, keys("tab")...)
	if s := screen(m); !strings.Contains(s, "No logs: the WDS only stages objects") {
		t.Fatalf("the Logs tab of the staged Deployment:\n%s", s)
	}
	m = send(m, keys("r")...)
	if watched := *m.fleet.(fakeFleet).watched; len(watched) > 0 {
		t.Fatalf("the WDS's copy was watched on a WEC: %q", watched)
	}
	if s := screen(m); !strings.Contains(s, "reconnect: not for the WDS's staged objects") {
		t.Fatalf("r over the staged view:\n%s", s)
	}
	m = send(m, keys("y")...)
	// Only the edit acts on the WDS's copy.
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if s := screen(m); !strings.Contains(s, "delete: this is the WDS's copy, which wecs only shows and edits (kubectl --context wds1 does the rest)") {
		t.Fatalf("ctrl+d on the WDS's copy:\n%s", s)
	}
	m.editor.Run = func(path string, done func(error) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			data, _ := os.ReadFile(path)
			_ = os.WriteFile(path, append(data, "  labels: {edited: \"yes\"}\n"...), 0o600)
			return done(nil)
		}
	}
	m = send(m, keys("e")...)
	if len(*wds.updates) != 1 || !strings.HasPrefix((*wds.updates)[0], "wds1 Deployment shop/web: ") || !strings.Contains((*wds.updates)[0], `edited: "yes"`) {
		t.Fatalf("the edit sent to the WDS: %q", *wds.updates)
	}
	if s := screen(m); !strings.Contains(s, "edited Deployment shop/web in the WDS wds1; KubeStellar will deliver it to cluster1, cluster2 (shop-policy)") {
		t.Fatalf("the status line after the edit:\n%s", s)
	}
	// The pane shows the copy the WDS holds after the edit.
	if s := screen(m); !strings.Contains(s, "edited: \"yes\"") {
		t.Fatalf("the pane after the edit does not show the WDS's new copy:\n%s", s)
	}
	// e works from the view's row as well.
	m = send(m, keys("esc", "j", "e")...)
	// The note is from the WDS as read after the edit.
	if s := screen(m); len(*wds.updates) != 2 || !strings.Contains(s, "edited ConfigMap reports/orphan in the WDS wds1; KubeStellar will deliver it to cluster1, cluster2 (reports-policy)") {
		t.Fatalf("edit of the unselected ConfigMap: %q\n%s", *wds.updates, s)
	}
}

func TestStagedEditRespectsReadOnlyAndTheWDSsRBAC(t *testing.T) {
	m := send(send(stagedModel(fakeWDS{updates: new([]string)}, true), keys("W")...), keys("e")...)
	if s := screen(m); !strings.Contains(s, "edit: wecs runs read-only") {
		t.Errorf("e in read-only mode:\n%s", s)
	}
	wds := fakeWDS{updates: new([]string), denied: true}
	m = send(send(stagedModel(wds, false), keys("W")...), keys("e")...)
	if s := screen(m); !strings.Contains(s, "edit is not available: your user may not update deployments on wds1") || len(*wds.updates) != 0 {
		t.Errorf("e without the right to update: %q\n%s", *wds.updates, s)
	}
}

func TestStagedViewWithoutAWDSSaysHowToGiveOne(t *testing.T) {
	m := send(sized(140, 30), keys("W")...)
	s := screen(m)
	for _, want := range []string{"Staged workloads · no WDS", "No WDS: the kubeconfig has no context wds1 and none was given.", "--wds-context CONTEXT"} {
		if !strings.Contains(s, want) {
			t.Fatalf("staged view without a WDS lacks %q:\n%s", want, s)
		}
	}
	if s := screen(send(m, keys("e")...)); !strings.Contains(s, "edit: there is no WDS; start wecs with --wds-context CONTEXT") {
		t.Errorf("e without a WDS:\n%s", s)
	}
}
