package main

import (
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// TestTUIHelpAndDisabledKeysSayWhatEachViewDoes walks the tree, the
// pane's Logs tab and the clusters and nodes views of a real fleet: "?"
// lists the view's own keys, a key that cannot act says why, and esc
// backs out one mode at a time.
func TestTUIHelpAndDisabledKeysSayWhatEachViewDoes(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 160, 45, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig+" --its-context its1")
	term.WaitFor(90*time.Second, "cluster1 Active ● Connected")

	tree := "↑↓ move  →← open"
	for _, step := range []struct {
		keys []string
		want []string
	}{
		// On a cluster row, e has no object to edit: it says so, and the
		// help lists it as off.
		{[]string{"e"}, []string{"edit: select an object first"}},
		{[]string{"?"}, []string{"Fleet tree", "delivered by KubeStellar only", "edit in $KUBE_EDITOR / $EDITOR / vi (off now)"}},
		{[]string{"Escape"}, []string{tree}},
		// The Logs tab of a cluster has no pods: its keys say so.
		{[]string{"4"}, []string{"No pods here"}},
		{[]string{"f"}, []string{"no pods here: logs are for pods and the workloads that run them"}},
		{[]string{"?"}, []string{"Logs tab", "follow on or off / follow again (off now)"}},
		{[]string{"Escape"}, []string{"esc back  tab next tab"}},
		{[]string{"Escape"}, []string{tree}},
		// The clusters view lists its own keys; esc closes the help, then the view.
		{[]string{"C"}, []string{"Clusters ·", "esc tree  ↑↓ select"}},
		{[]string{"?"}, []string{"accept a pending cluster (asks first)", "back to the tree"}},
		{[]string{"Escape"}, []string{"esc tree  ↑↓ select"}},
		{[]string{"Escape"}, []string{tree}},
		// Nodes: with a node's pods open, esc closes them first.
		{[]string{"U"}, []string{"Nodes of cluster1"}},
		{[]string{"Enter"}, []string{"Pods on ", "esc close pods"}},
		{[]string{"Escape"}, []string{"esc tree  ↑↓ select"}},
		{[]string{"Escape"}, []string{tree}},
	} {
		term.Keys(step.keys...)
		term.WaitFor(10*time.Second, step.want...)
	}
	quitFromTheTree(term)
}
