package tree

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

type members []kube.Member

func (m members) Members() []kube.Member                { return m }
func (m members) DeliveredObjects(string) []kube.Object { return nil }
func (m members) Connect(...string)                     {}

func fleet() (members, *kube.Tree) {
	objs := kube.NewTree()
	add := func(cluster, ns, kind, name string, status kube.Status, owners ...types.UID) {
		objs.Upsert(kube.Object{Cluster: cluster, Namespace: ns, Kind: kind, Name: name, UID: types.UID(cluster + "/" + name), Status: status, Owners: owners})
	}
	add("c1", "shop", "Deployment", "web", kube.StatusReady)
	add("c1", "shop", "Pod", "web-1", kube.StatusRunning, "c1/web")
	add("c1", "shop", "Pod", "debug", kube.StatusRunning)
	add("c1", "shop", "Pod", "zz-last", kube.StatusFailed)
	add("c2", "batch", "Job", "report", kube.StatusFailed)
	m := members{
		{ClusterInfo: kube.ClusterInfo{Name: "c1", Health: kube.HealthActive}, Connection: kube.Connection{State: kube.Connected}},
		{ClusterInfo: kube.ClusterInfo{Name: "c2", Health: kube.HealthActive}, Connection: kube.Connection{State: kube.Disconnected, Err: "connection refused"}},
	}
	return m, objs
}

// press does what the keys do in the app.
func press(m Model, keys ...string) Model {
	for _, k := range keys {
		switch k {
		case "enter", "l":
			m.Open()
		case "h", "left":
			m.Close()
		case "tab":
			m.NextCluster()
		case "j":
			m.Move(1)
		case "k":
			m.Move(-1)
		case "g":
			m.Move(-len(m.Rows()))
		case "G":
			m.Move(len(m.Rows()))
		case "+":
			m.OpenAll()
		case "-":
			m.CloseAll()
		case "n":
			m.NextMatch(1)
		case "N":
			m.NextMatch(-1)
		default:
			panic("press: no key " + k)
		}
	}
	return m
}

func labels(m Model) []string {
	var out []string
	for _, r := range m.Rows() {
		out = append(out, strings.Repeat(" ", r.Depth)+r.Label)
	}
	return out
}

func TestExpandWalksClusterNamespaceKindInstanceChildren(t *testing.T) {
	src, objs := fleet()
	m := New(src, objs, theme.For(true))
	m.SetSize(80, 20)
	m = press(m, "enter", "j", "enter", "j", "enter", "j", "enter")
	got := strings.Join(labels(m), "|")
	want := "c1| shop|  Deployment|   web|    web-1|  Pod|c2"
	if got != want {
		t.Fatalf("rows %q, want %q", got, want)
	}
	// h on a closed row goes to its parent; on an open one closes it.
	m = press(m, "j", "h")
	if row, _ := m.Selected(); row.Label != "web" {
		t.Fatalf("h from web-1 selected %q, want its parent web", row.Label)
	}
	m = press(m, "h")
	if len(m.Rows()) != 6 {
		t.Fatalf("h on an open row did not close it: %v", labels(m))
	}
	m = press(m, "tab")
	if row, _ := m.Selected(); row.Label != "c2" {
		t.Fatalf("tab selected %q, want the next cluster", row.Label)
	}
	m = press(m, "-")
	if len(m.Rows()) != 2 {
		t.Fatalf("- left %v", labels(m))
	}
	m = press(m, "+")
	if got := strings.Join(labels(m), "|"); got != "c1| shop|  Deployment|   web|    web-1|  Pod|   debug|   zz-last|c2| batch|  Job|   report" {
		t.Fatalf("+ gave %q", got)
	}
}

func TestLiveUpdatesKeepThePlaceAndMoveOffDeletedRows(t *testing.T) {
	src, objs := fleet()
	m := New(src, objs, theme.For(true))
	m.SetSize(80, 20)
	m = press(m, "+")
	m = press(m, "g", "j", "j", "j", "j", "j", "j") // debug
	if row, _ := m.Selected(); row.Label != "debug" {
		t.Fatalf("selected %q", row.Label)
	}
	// A new pod sorted before "debug" arrives: the cursor stays on debug.
	objs.Upsert(kube.Object{Cluster: "c1", Namespace: "shop", Kind: "Pod", Name: "aaa", UID: "new", Status: kube.StatusPending})
	if lost := m.Rebuild(); lost {
		t.Fatal("an insert lost the selection")
	}
	if row, _ := m.Selected(); row.Label != "debug" {
		t.Fatalf("after an insert the cursor is on %q", row.Label)
	}
	objs.Delete("c1", "c1/debug")
	lost := m.Rebuild()
	if row, _ := m.Selected(); row.Label != "zz-last" || !lost {
		t.Fatalf("after deleting the selection: on %q, lost %v", row.Label, lost)
	}
}

func TestViewDrawsOnlyVisibleRowsReadableWithoutColour(t *testing.T) {
	src, objs := fleet()
	for i := range 500 {
		objs.Upsert(kube.Object{Cluster: "c1", Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("p%03d", i), UID: types.UID(fmt.Sprint(i)), Status: kube.StatusPending})
	}
	m := New(src, objs, theme.For(true))
	m.SetSize(60, 10)
	m = press(m, "+")
	view := m.View()
	if n := strings.Count(view, "\n") + 1; n != 10 {
		t.Fatalf("%d lines drawn for a height of 10", n)
	}
	for _, want := range []string{"● Connected", "Active"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	m = press(m, "G")
	if !strings.Contains(m.View(), "✗ Failed") || !strings.Contains(m.View(), "○ Disconnected: connection refused") {
		t.Errorf("bottom of the tree lacks the failed job or the disconnected cluster:\n%s", m.View())
	}
}

func TestSearchRevealsMatchesAcrossTheFleet(t *testing.T) {
	src, objs := fleet()
	m := New(src, objs, theme.For(true))
	m.SetSize(80, 20)
	if n := m.Search("WEB-1"); n != 1 {
		t.Fatalf("%d matches for WEB-1, want 1 (case-insensitive)", n)
	}
	// The pod sits under its Deployment: everything above it is open.
	if row, _ := m.Selected(); row.Label != "web-1" || row.Depth != 4 {
		t.Fatalf("selected %q at depth %d", row.Label, row.Depth)
	}
	if n := m.Search("e"); n != 4 {
		t.Fatalf("%d matches for e, want 4 (web, debug, web-1, report)", n)
	}
	m = press(m, "n", "n", "n")
	if row, _ := m.Selected(); row.Label != "report" || row.Cluster != "c2" {
		t.Fatalf("third n selected %s/%s, want c2/report", row.Cluster, row.Label)
	}
	m = press(m, "n")
	if row, _ := m.Selected(); row.Label != "web" {
		t.Fatalf("n wraps to the first match (the web Deployment), got %q", row.Label)
	}
	m = press(m, "N")
	if row, _ := m.Selected(); row.Label != "report" || m.SearchStatus() != "/e (4 of 4)" {
		t.Fatalf("N: %q, status %q", row.Label, m.SearchStatus())
	}
	if m.Search("nothing-like-this"); m.SearchStatus() != "/nothing-like-this (no match)" {
		t.Fatalf("status %q", m.SearchStatus())
	}
}

func TestFilterListsMatchesFlatUnderTheirKind(t *testing.T) {
	src, objs := fleet()
	m := New(src, objs, theme.For(true))
	m.SetSize(80, 20)
	m.SetFilter(kube.Filter{Statuses: []kube.Status{kube.StatusFailed}})
	want := []string{"c1", " shop", "  Pod", "   zz-last", "c2", " batch", "  Job", "   report"}
	if got := labels(m); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("failed-only rows %q, want %q", got, want)
	}
	if c := m.Rows()[0].Counts; c.Total != 1 || c.Of(kube.StatusFailed) != 1 {
		t.Errorf("c1 counts the matches only: %+v", c)
	}
	// A pod under its ReplicaSet is listed flat when it matches.
	m.SetFilter(kube.Filter{Kinds: []string{"pod"}, Clusters: []string{"c1"}})
	want = []string{"c1", " shop", "  Pod", "   debug", "   web-1", "   zz-last", "c2"}
	if got := labels(m); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pods of c1 %q, want %q", got, want)
	}
	// Search within the filter reveals the flat match.
	if n := m.Search("web-1"); n != 1 {
		t.Fatalf("%d matches for web-1", n)
	}
	if row, _ := m.Selected(); row.Label != "web-1" {
		t.Errorf("selected %q", row.Label)
	}
	m.SetFilter(kube.Filter{})
	if got := labels(m); len(got) < 5 || got[3] != "   web" {
		t.Errorf("unfiltered again: %q", got)
	}
}

// TestANamespaceFilterShowsOwnedObjectsOnceAndKeepsThePlace: with :ns, a
// Pod owned by a listed Deployment sits under it only, and the cursor stays
// on the selection's cluster instead of landing on some other row.
func TestANamespaceFilterShowsOwnedObjectsOnceAndKeepsThePlace(t *testing.T) {
	src, objs := fleet()
	objs.Upsert(kube.Object{Cluster: "c2", Namespace: "shop", Kind: "PersistentVolumeClaim", Name: "data", UID: "c2/data", Status: kube.StatusReady})
	m := New(src, objs, theme.For(true))
	m.SetSize(80, 20)
	m = press(m, "+", "G", "k", "k", "k") // c2's Job report
	if row, _ := m.Selected(); row.Label != "report" {
		t.Fatalf("selected %q", row.Label)
	}
	m.SetFilter(kube.Filter{Namespace: "shop"})
	want := []string{"c1", " shop", "  Deployment", "   web", "    web-1", "  Pod", "   debug", "   zz-last", "c2", " shop", "  PersistentVolumeClaim", "   data"}
	if got := labels(m); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows of :ns shop %q, want %q", got, want)
	}
	if row, _ := m.Selected(); row.Key != "c/c2" {
		t.Errorf("after :ns shop the cursor is on %s, want c2 (the report's cluster)", row.Key)
	}
	if c := m.Rows()[1].Counts; c.Total != 4 {
		t.Errorf("c1/shop counts %d matches, want 4 (web-1 under web included)", c.Total)
	}
	// Searching for the pod opens it where it is shown: under web.
	if n := m.Search("web-1"); n != 1 {
		t.Fatalf("%d matches", n)
	}
	if row, _ := m.Selected(); row.Label != "web-1" || row.Depth != 4 {
		t.Errorf("search selected %q at depth %d, want web-1 under web", row.Label, row.Depth)
	}
	// A filtered-out selection moves to the same object where it is shown.
	m.SetFilter(kube.Filter{Kinds: []string{"Pod"}})
	if row, _ := m.Selected(); row.Label != "web-1" || row.Depth != 3 {
		t.Errorf("after :po the cursor is on %q at depth %d, want web-1 listed flat", row.Label, row.Depth)
	}
}

// TestLongNamesWithASharedPrefixStayDistinct: two AppliedManifestWorks whose
// names differ only at the end still differ on screen at 160 columns.
func TestLongNamesWithASharedPrefixStayDistinct(t *testing.T) {
	src, objs := fleet()
	prefix := "5d0c3c2e8a7f41b6b1f09d2c6e4a8b3f7c1d9e0a2b4c6d8e0f1a3b5c7d9e1f3a-" + strings.Repeat("kubestellar-wds1-binding-", 5)
	for _, tail := range []string{"payments-api", "payments-web"} {
		objs.Upsert(kube.Object{Cluster: "c1", Kind: "AppliedManifestWork", Name: prefix + tail, UID: types.UID(tail), Status: kube.StatusReady})
	}
	m := New(src, objs, theme.For(true))
	m.SetSize(160, 40)
	m = press(m, "+")
	var rows []string
	for _, line := range strings.Split(m.View(), "\n") {
		if strings.Contains(line, "5d0c3c2e") {
			rows = append(rows, ansi.Strip(line))
		}
	}
	if len(rows) != 2 || rows[0] == rows[1] {
		t.Fatalf("the two AppliedManifestWork rows are not distinct:\n%s", strings.Join(rows, "\n"))
	}
	for i, tail := range []string{"payments-api", "payments-web"} {
		if !strings.Contains(rows[i], tail) || ansi.StringWidth(rows[i]) > 160 {
			t.Errorf("row %d lacks %q or is wider than 160 columns: %q", i, tail, rows[i])
		}
	}
}

func TestAClusterStillListingSaysHowFarItHasCome(t *testing.T) {
	_, objs := fleet()
	src := members{{ClusterInfo: kube.ClusterInfo{Name: "c1", Health: kube.HealthActive},
		Connection: kube.Connection{State: kube.Connecting, Listing: "listing pods 2,000/3,500"}}}
	m := New(src, objs, theme.For(true))
	m.SetSize(100, 5)
	if view := m.View(); !strings.Contains(view, "◌ Connecting · listing pods 2,000/3,500") {
		t.Errorf("the cluster row does not say how far the list has come:\n%s", view)
	}
}

// TestChangesInPlaceShowAsARebuildWouldShowThem replaces objects' statuses
// again and again (a Deployment, a pod under it, top-level pods) and applies
// only the tree's changes: every row, count and object must be what a
// rebuild from scratch shows, and the cursor must stay on its row.
func TestChangesInPlaceShowAsARebuildWouldShowThem(t *testing.T) {
	mem, objs := fleet()
	m := press(New(mem, objs, theme.For(true)), "+")
	m.SetSize(100, 30)
	m.Move(3)
	selected, _ := m.Selected()
	objs.TakeChanges()
	statuses := []kube.Status{kube.StatusRunning, kube.StatusFailed, kube.StatusPending, kube.StatusNotReady}
	for i := range 12 {
		status := statuses[i%len(statuses)]
		objs.Upsert(kube.Object{Cluster: "c1", Namespace: "shop", Kind: "Pod", Name: "web-1", UID: "c1/web-1", Status: status, Owners: []types.UID{"c1/web"}})
		objs.Upsert(kube.Object{Cluster: "c1", Namespace: "shop", Kind: "Pod", Name: "debug", UID: "c1/debug", Status: statuses[(i+1)%len(statuses)], Restarts: i})
		if i%3 == 0 {
			objs.Upsert(kube.Object{Cluster: "c2", Namespace: "batch", Kind: "Job", Name: "report", UID: "c2/report", Status: status})
		}
		changes := objs.TakeChanges()
		if changes.Moved {
			t.Fatalf("step %d: a status change was taken as a move", i)
		}
		if lost := m.Apply(changes); lost {
			t.Fatalf("step %d: the selection was lost", i)
		}
		want := press(New(mem, objs, theme.For(true)), "+")
		if len(m.Rows()) != len(want.Rows()) {
			t.Fatalf("step %d: %d rows, a rebuild has %d", i, len(m.Rows()), len(want.Rows()))
		}
		for j, got := range m.Rows() {
			w := want.Rows()[j]
			if got.Key != w.Key || got.Counts != w.Counts || (got.Object == nil) != (w.Object == nil) ||
				got.Object != nil && (got.Object.Status != w.Object.Status || got.Object.Restarts != w.Object.Restarts) {
				t.Fatalf("step %d, row %d: %s %+v %v, a rebuild shows %s %+v %v", i, j, got.Key, got.Counts, got.Object, w.Key, w.Counts, w.Object)
			}
		}
		if now, _ := m.Selected(); now.Key != selected.Key {
			t.Fatalf("step %d: the cursor moved from %s to %s", i, selected.Key, now.Key)
		}
	}
}

// unreachable is a fleet whose WEC c3 cannot be reached: the ITS's
// ManifestWork in its namespace delivers a Deployment and a ConfigMap.
type unreachable struct{ members }

func (u unreachable) DeliveredObjects(cluster string) []kube.Object {
	if cluster != "c3" {
		return nil
	}
	w := kube.WorkStatus{Cluster: "c3", Name: "shop-work", Applied: kube.Condition{Status: "True"}, Manifests: []kube.ManifestStatus{
		{ObjectRef: kube.ObjectRef{Group: "apps", Version: "v1", Kind: "Deployment", Resource: "deployments", Namespace: "shop", Name: "web"},
			Applied: kube.Condition{Status: "True"}, Available: kube.Condition{Status: "True"}, Feedback: map[string]string{"Replicas": "3", "AvailableReplicas": "1"}},
		{ObjectRef: kube.ObjectRef{Version: "v1", Kind: "ConfigMap", Resource: "configmaps", Namespace: "shop", Name: "settings"},
			Applied: kube.Condition{Status: "False", Reason: "AppliedManifestFailed"}},
	}}
	return w.Objects()
}

func TestAnUnreachableWECShowsWhatTheITSDeliveredToIt(t *testing.T) {
	src, objs := fleet()
	u := unreachable{append(src, kube.Member{ClusterInfo: kube.ClusterInfo{Name: "c3", Health: kube.HealthUnknown},
		Connection: kube.Connection{State: kube.Unbound, Err: "no kubeconfig context reaches it"}})}
	m := New(u, objs, theme.For(true))
	m.SetSize(120, 20)
	m = press(m, "G", "enter", "j", "enter", "j", "enter")
	if got := strings.Join(labels(m), "|"); got != "c1|c2|c3| shop|  ConfigMap|   settings|  Deployment" {
		t.Fatalf("rows %q", got)
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"c3 Unknown 2 · 1 Failed · 1 NotReady delivered, from the ITS ○ Unbound", "settings ✗ NotApplied ⇣ delivered, from the ITS"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	m = press(m, "j", "j", "enter", "j")
	if row, _ := m.Selected(); row.Object == nil || !row.Object.FromITS || row.Object.Ready != "1/3" || row.Object.Word != "NotAvailable" || row.Object.DeliveredBy != "shop-work" {
		t.Fatalf("web's row %+v, want it from the ITS, 1/3 NotAvailable, by shop-work", row.Object)
	}
	// A filter applies to them as to the tree's objects.
	m.SetFilter(kube.Filter{Statuses: []kube.Status{kube.StatusFailed}})
	m = press(m, "+")
	if got := strings.Join(labels(m), "|"); got != "c1| shop|  Pod|   zz-last|c2| batch|  Job|   report|c3| shop|  ConfigMap|   settings" {
		t.Fatalf("rows under status=Failed %q", got)
	}
	m.SetFilter(kube.Filter{})
	// A search finds them too, and opens the tree down to them.
	m = press(m, "-")
	if n := m.Search("settings"); n != 1 {
		t.Fatalf("%d matches for settings, want the ConfigMap delivered to c3", n)
	}
	if row, _ := m.Selected(); row.Object == nil || !row.Object.FromITS || row.Cluster != "c3" || row.Label != "settings" {
		t.Fatalf("the search selected %+v, want c3's settings from the ITS", row)
	}
	m.Search("")
	// Once the WEC answers, its own objects are all the tree shows.
	u.members[2].Connection = kube.Connection{State: kube.Connected}
	m.RefreshMembers()
	if got := strings.Join(labels(m), "|"); strings.Contains(got, "settings") || !strings.HasSuffix(got, "c3") {
		t.Fatalf("rows once c3 is connected %q", got)
	}
}

// lazy is a fleet whose WEC c3 is Idle: Connect records what it is asked.
type lazy struct {
	members
	connected *[]string
}

func (l lazy) Connect(clusters ...string) { *l.connected = append(*l.connected, clusters...) }

func TestAnIdleWECConnectsWhenOpenedSearchedOrFiltered(t *testing.T) {
	src, objs := fleet()
	l := lazy{append(src, kube.Member{ClusterInfo: kube.ClusterInfo{Name: "c3", Health: kube.HealthActive},
		Connection: kube.Connection{State: kube.Idle}}), new([]string)}
	m := New(l, objs, theme.For(true))
	m.SetSize(120, 20)
	if view := ansi.Strip(m.View()); !strings.Contains(view, "c3 Active ◌ Idle: not watched yet (enter connects)") {
		t.Fatalf("the idle WEC's row:\n%s", view)
	}
	m = press(m, "enter")
	if len(*l.connected) != 0 {
		t.Fatalf("opening c1 connected %v", *l.connected)
	}
	m = press(m, "G", "enter")
	if got := strings.Join(*l.connected, ","); got != "c3" {
		t.Fatalf("opening c3 connected %q, want c3", got)
	}
	*l.connected = nil
	m.SetFilter(kube.Filter{Clusters: []string{"c1"}})
	if len(*l.connected) != 0 {
		t.Fatalf("a filter on c1 connected %v", *l.connected)
	}
	m.SetFilter(kube.Filter{Statuses: []kube.Status{kube.StatusFailed}})
	if got := strings.Join(*l.connected, ","); got != "c3" {
		t.Fatalf("a status filter connected %q, want c3", got)
	}
	*l.connected = nil
	m.SetFilter(kube.Filter{})
	m.Search("web")
	if got := strings.Join(*l.connected, ","); got != "c3" {
		t.Fatalf("a search connected %q, want c3", got)
	}
}

// lazyUnreachable is the unreachable fleet whose c3 is Idle instead.
type lazyUnreachable struct {
	unreachable
	connected *[]string
}

func (l lazyUnreachable) Connect(clusters ...string) {
	*l.connected = append(*l.connected, clusters...)
}

func TestAnIdleWECShowsWhatTheITSDeliveredUntilItsWatchesStart(t *testing.T) {
	src, objs := fleet()
	l := lazyUnreachable{unreachable{append(src, kube.Member{ClusterInfo: kube.ClusterInfo{Name: "c3", Health: kube.HealthActive},
		Connection: kube.Connection{State: kube.Idle}})}, new([]string)}
	m := New(l, objs, theme.For(true))
	m.SetSize(120, 20)
	if view := ansi.Strip(m.View()); !strings.Contains(view, "c3 Active 2 · 1 Failed · 1 NotReady delivered, from the ITS ◌ Idle: not watched yet (enter connects)") {
		t.Fatalf("the idle WEC's row:\n%s", view)
	}
	// Opening it connects it and shows the delivered objects meanwhile.
	m = press(m, "G", "enter", "j", "enter", "j", "enter")
	if got := strings.Join(*l.connected, ","); got != "c3" {
		t.Fatalf("opening c3 connected %q, want c3", got)
	}
	if got := strings.Join(labels(m), "|"); got != "c1|c2|c3| shop|  ConfigMap|   settings|  Deployment" {
		t.Fatalf("rows %q", got)
	}
	// Once its watches start, its own objects are all the tree shows.
	l.members[2].Connection = kube.Connection{State: kube.Connecting}
	m.RefreshMembers()
	if got := strings.Join(labels(m), "|"); strings.Contains(got, "settings") || !strings.HasSuffix(got, "c3") {
		t.Fatalf("rows once c3 is connecting %q", got)
	}
}
