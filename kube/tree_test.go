package kube

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

func obj(kind, ns, name string, uid types.UID, status Status, owners ...types.UID) Object {
	return Object{Cluster: "c1", Namespace: ns, Kind: kind, Name: name, UID: uid, Status: status, Owners: owners}
}

func kindNames(groups []Group) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Name)
	}
	return out
}

func TestTreePlacesChildrenUnderOwnersWhateverTheOrder(t *testing.T) {
	tree := NewTree()
	// The pod arrives before its ReplicaSet, which arrives before its Deployment.
	tree.Upsert(obj("Pod", "shop", "web-1-a", "pod", StatusPending, "rs"))
	if got := kindNames(tree.Kinds("c1", "shop")); len(got) != 1 || got[0] != "Pod" {
		t.Fatalf("an orphan pod is a top-level Pod: %v", got)
	}
	tree.Upsert(obj("ReplicaSet", "shop", "web-1", "rs", StatusNotReady, "dep"))
	tree.Upsert(obj("Deployment", "shop", "web", "dep", StatusNotReady))
	if got := kindNames(tree.Kinds("c1", "shop")); len(got) != 1 || got[0] != "Deployment" {
		t.Fatalf("kinds %v, want only Deployment at the top", got)
	}
	if ch := tree.Children("c1", "dep"); len(ch) != 1 || ch[0].Name != "web-1" {
		t.Fatalf("deployment children %v", ch)
	}
	if ch := tree.Children("c1", "rs"); len(ch) != 1 || ch[0].Name != "web-1-a" {
		t.Fatalf("replicaset children %v", ch)
	}
	ns := tree.Namespaces("c1", false)
	if len(ns) != 1 || ns[0].Counts.Total != 3 || ns[0].Counts.Worst() != StatusNotReady {
		t.Fatalf("namespace counts %+v", ns)
	}

	// Status changes move counts, not placement.
	tree.Upsert(obj("Pod", "shop", "web-1-a", "pod", StatusFailed, "rs"))
	if c := tree.ClusterCounts("c1", false); c.Of(StatusFailed) != 1 || c.Of(StatusPending) != 0 || c.Total != 3 || c.Worst() != StatusFailed {
		t.Fatalf("cluster counts %+v", c)
	}

	// Deleting the ReplicaSet leaves its pod a top-level Pod again.
	tree.Delete("c1", "rs")
	if got := kindNames(tree.Kinds("c1", "shop")); len(got) != 2 {
		t.Fatalf("kinds after deleting the ReplicaSet: %v", got)
	}
	if inst := tree.Instances("c1", "shop", "Pod"); len(inst) != 1 || inst[0].UID != "pod" {
		t.Fatalf("pods %v", inst)
	}
	tree.Delete("c1", "pod")
	tree.Delete("c1", "dep")
	if ns := tree.Namespaces("c1", false); len(ns) != 0 {
		t.Fatalf("an empty namespace is still listed: %+v", ns)
	}
	if tree.Len() != 0 {
		t.Fatalf("%d objects left", tree.Len())
	}
}

func TestTreeResyncDropsWhatDisappearedFromRelistedKinds(t *testing.T) {
	tree := NewTree()
	configMap := func(ns, name string, uid types.UID) Object {
		o := obj("ConfigMap", ns, name, uid, StatusReady)
		o.Version, o.Resource = "v1", "configmaps"
		return o
	}
	widget := obj("Widget", "a", "not-relisted", "4", StatusReady)
	widget.Group, widget.Version, widget.Resource = "example.com", "v1", "widgets"
	tree.Upsert(configMap("a", "stays", "1"))
	tree.Upsert(configMap("a", "deleted-while-away", "2"))
	tree.Upsert(widget)
	gen := tree.BeginResync("c1")
	tree.Upsert(configMap("a", "stays", "1"))
	tree.Upsert(configMap("b", "new", "3"))
	// Widgets were not listed again (their API was not served yet): the
	// one seen before stays.
	tree.EndResync("c1", gen, func(group, resource string) bool { return group == "" && resource == "configmaps" })
	var names []string
	for _, o := range tree.Find(Filter{}) {
		names = append(names, o.Name)
	}
	if !slices.Equal(names, []string{"stays", "not-relisted", "new"}) {
		t.Fatalf("after resync: %v", names)
	}
}

func TestTreeHidesSystemNamespacesUnlessAsked(t *testing.T) {
	tree := NewTree()
	tree.Upsert(obj("Pod", "kube-system", "dns", "1", StatusRunning))
	tree.Upsert(obj("Pod", "open-cluster-management-agent", "agent", "2", StatusRunning))
	tree.Upsert(obj("Pod", "shop", "web", "3", StatusRunning))
	if n := len(tree.Namespaces("c1", false)); n != 1 {
		t.Errorf("%d namespaces shown without system ones, want 1", n)
	}
	if n := len(tree.Namespaces("c1", true)); n != 3 {
		t.Errorf("%d namespaces with system ones, want 3", n)
	}
	if c := tree.ClusterCounts("c1", false); c.Total != 1 {
		t.Errorf("cluster count %d without system namespaces, want 1", c.Total)
	}
	if n := len(tree.Find(Filter{Namespace: "kube-system"})); n != 1 {
		t.Errorf("naming a system namespace finds %d objects, want 1", n)
	}
}

func TestFilter(t *testing.T) {
	o := Object{Cluster: "c2", Namespace: "shop", Kind: "Deployment", Name: "web-front", Status: StatusFailed,
		Labels: map[string]string{"app": "web"}, DeliveredBy: "abc-work"}
	sel, _ := labels.Parse("app=web")
	other, _ := labels.Parse("app=db")
	cases := []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{Clusters: []string{"c1"}}, false},
		{Filter{Kinds: []string{"deployment"}}, true},
		{Filter{Kinds: []string{"Pod"}}, false},
		{Filter{Statuses: []Status{StatusFailed}}, true},
		{Filter{Statuses: []Status{StatusRunning}}, false},
		{Filter{Selector: sel}, true},
		{Filter{Selector: other}, false},
		{Filter{Name: "front"}, true},
		{Filter{Name: "back"}, false},
		{Filter{DeliveredOnly: true}, true},
		{Filter{Namespace: "prod"}, false},
	}
	for i, c := range cases {
		if got := c.f.Matches(o); got != c.want {
			t.Errorf("case %d %+v: got %v", i, c.f, got)
		}
	}
	if (Filter{DeliveredOnly: true}).Matches(Object{Name: "x"}) {
		t.Error("an object not delivered passed DeliveredOnly")
	}
}

func TestToObjectMarksDeliveryAndOwners(t *testing.T) {
	u := fixture(t, "pod-running.yaml")
	u.SetOwnerReferences(nil)
	u.Object["metadata"].(map[string]any)["ownerReferences"] = []any{
		map[string]any{"apiVersion": "work.open-cluster-management.io/v1", "kind": "AppliedManifestWork", "name": "hash-web", "uid": "amw"},
		map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "rs", "controller": true},
	}
	o := ToObject("cluster1", podGVR, u)
	if o.DeliveredBy != "hash-web" || len(o.Owners) != 1 || o.Owners[0] != "rs" || o.Status != StatusRunning || o.Cluster != "cluster1" {
		t.Fatalf("%+v", o)
	}
}

// TestTreeKeepsNamespaceObjectsAside: a Namespace is found by its name for
// its row, counted nowhere, and goes on delete and on resync.
func TestTreeKeepsNamespaceObjectsAside(t *testing.T) {
	tree := NewTree()
	tree.Upsert(obj("Pod", "shop", "web", "pod", StatusRunning))
	tree.Upsert(obj("Namespace", "", "shop", "ns-shop", StatusReady))
	tree.Upsert(obj("Namespace", "", "walk", "ns-walk", StatusReady))
	if o, ok := tree.NamespaceObject("c1", "shop"); !ok || o.UID != "ns-shop" {
		t.Fatalf("NamespaceObject(shop) = %+v, %v", o, ok)
	}
	if n, c := tree.Len(), tree.ClusterCounts("c1", true); n != 1 || c.Total != 1 || len(tree.Find(Filter{ShowSystem: true})) != 1 {
		t.Errorf("the Namespaces are counted: Len %d, counts %d", n, c.Total)
	}
	tree.Delete("c1", "ns-shop")
	if _, ok := tree.NamespaceObject("c1", "shop"); ok {
		t.Error("a deleted Namespace is still there")
	}
	gen := tree.BeginResync("c1")
	tree.Upsert(obj("Pod", "shop", "web", "pod", StatusRunning))
	tree.EndResync("c1", gen, func(group, resource string) bool { return true })
	if _, ok := tree.NamespaceObject("c1", "walk"); ok {
		t.Error("a Namespace not listed again survived the resync")
	}
}

// changedNow drains the tree's change signal and says whether there was one.
func changedNow(tree *Tree) bool {
	select {
	case <-tree.Changed():
		return true
	default:
		return false
	}
}

func TestTreeIgnoresUpdatesThatChangeNothingItKeeps(t *testing.T) {
	tree := NewTree()
	pod := obj("Pod", "a", "p", "1", StatusReady)
	pod.Word, pod.Labels, pod.Usage = "Running", map[string]string{"app": "x"}, &Usage{Node: "n1", CPU: 100}
	tree.Upsert(pod)
	if !changedNow(tree) {
		t.Fatal("a new pod did not signal a change")
	}
	again := pod
	again.Labels, again.Usage = map[string]string{"app": "x"}, &Usage{Node: "n1", CPU: 100}
	tree.Upsert(again)
	if changedNow(tree) {
		t.Fatal("an update that changes nothing the tree keeps signalled a change")
	}
	ns := obj("Namespace", "", "a", "9", StatusReady)
	tree.Upsert(ns)
	changedNow(tree)
	tree.Upsert(ns)
	if changedNow(tree) {
		t.Fatal("an unchanged namespace signalled a change")
	}
	for name, change := range map[string]func(o *Object){
		"word":   func(o *Object) { o.Word = "Terminating" },
		"label":  func(o *Object) { o.Labels = map[string]string{"app": "y"} },
		"usage":  func(o *Object) { o.Usage = &Usage{Node: "n2", CPU: 100} },
		"owners": func(o *Object) { o.Owners = []types.UID{"7"} },
	} {
		changed := pod
		change(&changed)
		tree.Upsert(changed)
		if !changedNow(tree) {
			t.Fatalf("a change of %s did not signal", name)
		}
		if got := tree.Find(Filter{})[0]; !sameObject(&got, &changed) {
			t.Fatalf("after a change of %s the tree keeps %+v", name, got)
		}
		tree.Upsert(pod)
		changedNow(tree)
	}
}

// TestSameObjectComparesEveryField changes each field of Object in turn:
// a field added later and left out of sameObject would hide its changes.
func TestSameObjectComparesEveryField(t *testing.T) {
	base := Object{Usage: &Usage{}, Labels: map[string]string{}, Owners: []types.UID{}}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		changed := base
		changed.Usage = &Usage{}
		f := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Int:
			f.SetInt(1)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]types.UID{"x"}))
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string]string{"x": "y"}))
		case reflect.Pointer:
			f.Set(reflect.ValueOf(&Usage{Node: "x"}))
		case reflect.Struct:
			f.Set(reflect.ValueOf(time.Unix(1, 0)))
		default:
			t.Fatalf("field %s: a %s this test cannot change; teach it", typ.Field(i).Name, f.Kind())
		}
		if sameObject(&base, &changed) {
			t.Errorf("sameObject misses a change of %s", typ.Field(i).Name)
		}
	}
}

func TestTreeTellsWhichObjectsChangedInPlaceAndWhenItsShapeChanged(t *testing.T) {
	tree := NewTree()
	tree.Upsert(obj("Deployment", "shop", "web", "dep", StatusRunning))
	tree.Upsert(obj("Pod", "shop", "web-1", "pod", StatusPending, "dep"))
	if c := tree.TakeChanges(); !c.Moved {
		t.Fatalf("after two new objects: %+v, want Moved", c)
	}
	if c := tree.TakeChanges(); c.Moved || len(c.Replaced) > 0 {
		t.Fatalf("nothing changed since the last take: %+v", c)
	}

	tree.Upsert(obj("Pod", "shop", "web-1", "pod", StatusRunning, "dep"))
	tree.Upsert(obj("Pod", "shop", "web-1", "pod", StatusFailed, "dep"))
	tree.Upsert(obj("Pod", "shop", "web-1", "pod", StatusFailed, "dep")) // the same again
	c := tree.TakeChanges()
	if c.Moved || len(c.Replaced) != 1 || c.Replaced[0].UID != "pod" || c.Replaced[0].Status != StatusFailed {
		t.Fatalf("a pod's status changed twice: %+v, want it once, as last written, and not Moved", c)
	}

	// Another owner is another place in the tree.
	tree.Upsert(obj("Pod", "shop", "web-1", "pod", StatusFailed))
	if c := tree.TakeChanges(); !c.Moved {
		t.Fatalf("a pod that lost its owner: %+v, want Moved", c)
	}

	for i := range maxReplaced + 1 {
		tree.Upsert(Object{Cluster: "c1", Namespace: "shop", Kind: "Pod", Name: fmt.Sprint("p", i), UID: types.UID(fmt.Sprint(i)), Status: StatusRunning})
	}
	tree.TakeChanges()
	for i := range maxReplaced + 1 {
		tree.Upsert(Object{Cluster: "c1", Namespace: "shop", Kind: "Pod", Name: fmt.Sprint("p", i), UID: types.UID(fmt.Sprint(i)), Status: StatusFailed})
	}
	if c := tree.TakeChanges(); !c.Moved || len(c.Replaced) != 0 {
		t.Fatalf("%d objects replaced: Moved %v with %d objects, want Moved alone", maxReplaced+1, c.Moved, len(c.Replaced))
	}
}

// TestInstancesStayInOrderAsObjectsComeAndGo adds and deletes pods in a
// random order, some sharing a name (a pod deleted and made again), and
// checks that a kind's instances are always those present, by name.
func TestInstancesStayInOrderAsObjectsComeAndGo(t *testing.T) {
	tree := NewTree()
	rng := rand.New(rand.NewPCG(1, 2))
	present := map[types.UID]string{}
	for step := range 2000 {
		uid := types.UID(fmt.Sprint(rng.IntN(300)))
		if _, ok := present[uid]; ok && rng.IntN(2) == 0 {
			tree.Delete("c1", uid)
			delete(present, uid)
		} else {
			name := fmt.Sprintf("pod-%02d", rng.IntN(100))
			if old, ok := present[uid]; ok {
				name = old // a pod keeps its name
			}
			tree.Upsert(obj("Pod", "load", name, uid, Statuses[rng.IntN(len(Statuses))]))
			present[uid] = name
		}
		var want []string
		for uid, name := range present {
			want = append(want, name+"/"+string(uid))
		}
		slices.Sort(want)
		var got []string
		for _, o := range tree.Instances("c1", "load", "Pod") {
			got = append(got, o.Name+"/"+string(o.UID))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: instances %v, want %v", step, got, want)
		}
	}
}
