package tree

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

// BenchmarkKeyPress20000Rows is one key press (cursor down) and the redraw
// of the visible window, in a tree opened to 20,000 rows.
func BenchmarkKeyPress20000Rows(b *testing.B) {
	m := openTree(b, 20000)
	for b.Loop() {
		m.Move(1)
		_ = m.View()
	}
}

// BenchmarkRebuild20000Rows is the cost of reading the tree again when
// 20,000 rows are open, as a change that moves rows (an object comes or
// goes) does.
func BenchmarkRebuild20000Rows(b *testing.B) {
	m := openTree(b, 20000)
	for b.Loop() {
		m.Rebuild()
		_ = m.View()
	}
}

// BenchmarkEvent20000Rows is the cost of one live update that changes a
// pod's status when 20,000 rows are open: the change is taken from the
// fleet's tree, applied to the rows and the window drawn again.
func BenchmarkEvent20000Rows(b *testing.B) {
	m := openTree(b, 20000)
	m.objects.TakeChanges()
	statuses := []kube.Status{kube.StatusFailed, kube.StatusRunning}
	i := 0
	for b.Loop() {
		i++
		m.objects.Upsert(kube.Object{Cluster: "c1", Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("pod-%05d", i%20000),
			UID: types.UID(fmt.Sprint(i % 20000)), Status: statuses[(i/20000)%2]})
		m.Apply(m.objects.TakeChanges())
		_ = m.View()
	}
}

// openTree builds a fleet of n pods in one namespace and opens it all.
func openTree(b *testing.B, n int) Model {
	objs := kube.NewTree()
	for i := range n {
		objs.Upsert(kube.Object{Cluster: "c1", Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("pod-%05d", i),
			UID: types.UID(fmt.Sprint(i)), Status: kube.StatusRunning})
	}
	m := New(members{{ClusterInfo: kube.ClusterInfo{Name: "c1"}, Connection: kube.Connection{State: kube.Connected}}}, objs, theme.For(true))
	m.SetSize(120, 40)
	m = press(m, "+")
	if len(m.Rows()) < n {
		b.Fatalf("%d rows open, want %d", len(m.Rows()), n)
	}
	return m
}

// unreadWECs is a fleet of WECs wecs does not read (Idle, as when it
// connects lazily), each with the objects its ManifestWorks deliver, made
// once as the fleet keeps them.
type unreadWECs struct {
	members
	delivered map[string][]kube.Object
}

func (u unreadWECs) DeliveredObjects(cluster string) []kube.Object { return u.delivered[cluster] }

// BenchmarkRefreshMembers1000UnreadWECs is the cost of taking the members
// again (a change of the fleet) with 1,000 WECs the tree shows from the
// ITS, 20 delivered objects each, all rows closed.
func BenchmarkRefreshMembers1000UnreadWECs(b *testing.B) {
	u := unreadWECs{delivered: map[string][]kube.Object{}}
	for i := range 1000 {
		name := fmt.Sprintf("hub-wec-%04d", i)
		u.members = append(u.members, kube.Member{ClusterInfo: kube.ClusterInfo{Name: name}, Connection: kube.Connection{State: kube.Idle}})
		for j := range 20 {
			u.delivered[name] = append(u.delivered[name], kube.Object{Cluster: name, Namespace: "shop", Kind: "Deployment",
				Name: fmt.Sprintf("app-%02d", j), UID: types.UID(fmt.Sprintf("%s/%d", name, j)), Status: kube.StatusReady, FromITS: true})
		}
	}
	m := New(u, kube.NewTree(), theme.For(true))
	if r := m.Rows()[0]; !r.FromITS || r.Counts.Total != 20 {
		b.Fatalf("the first cluster row %+v does not show its 20 delivered objects", r)
	}
	for b.Loop() {
		m.RefreshMembers()
	}
}
