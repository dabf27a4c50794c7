package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/kube"
)

// BenchmarkScreenKeyPress20000Rows is one key press on the whole screen
// (cursor down: the tree moves, the pane shows the new row's Summary) and
// the redraw, with 20,000 rows open in the tree and the pane beside it.
func BenchmarkScreenKeyPress20000Rows(b *testing.B) {
	m, _ := screenWith20000Rows(b)
	pressDownAndUp(b, m)
}

// pressDownAndUp times a cursor key and the redraw after it: down a
// thousand rows, then up again, and so on.
func pressDownAndUp(b *testing.B, m Model) {
	down, up := tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}
	i := 0
	for b.Loop() {
		key := down
		if i++; i%2000 >= 1000 {
			key = up
		}
		next, _ := m.Update(key)
		m = next.(Model)
		_ = m.View()
	}
}

// BenchmarkScreenEvent20000Rows is one event on the whole screen: a pod's
// status changes, the change reaches the UI and the screen is drawn again,
// with 20,000 rows open in the tree and the pane beside it.
func BenchmarkScreenEvent20000Rows(b *testing.B) {
	m, objs := screenWith20000Rows(b)
	objs.TakeChanges()
	statuses := []kube.Status{kube.StatusFailed, kube.StatusRunning}
	i := 0
	for b.Loop() {
		i++
		objs.Upsert(kube.Object{Cluster: "cluster1", Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("pod-%05d", i%20000),
			UID: types.UID(fmt.Sprint(i % 20000)), Status: statuses[(i/20000)%2], Created: created})
		next, _ := m.Update(changedMsg{})
		m = next.(Model)
		_ = m.View()
	}
}

// screenWith20000Rows is the screen with 20,000 pods of one cluster open in
// the tree, and the tree they come from.
func screenWith20000Rows(b *testing.B) (Model, *kube.Tree) {
	objs := kube.NewTree()
	for i := range 20000 {
		objs.Upsert(kube.Object{Cluster: "cluster1", Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("pod-%05d", i),
			UID: types.UID(fmt.Sprint(i)), Status: kube.StatusRunning, Created: created})
	}
	next, _ := newModelWith(objs).Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	next, _ = next.(Model).Update(tea.KeyPressMsg{Code: '+', Text: "+"})
	m := next.(Model)
	if n := len(m.tree.Rows()); n < 20000 {
		b.Fatalf("%d rows open", n)
	}
	return m, objs
}
