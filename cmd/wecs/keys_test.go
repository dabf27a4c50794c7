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

	// On a cluster row, e has no object to edit: it says so, and the help
	// lists it as off.
	term.Keys("e")
	term.WaitFor(10*time.Second, "edit: select an object first")
	term.Keys("?")
	term.WaitFor(10*time.Second, "Fleet tree", "delivered by KubeStellar only", "edit in $KUBE_EDITOR / $EDITOR / vi (off now)")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "↑↓ move  →← open")

	// The Logs tab of a cluster has no pods: its keys say so.
	term.Keys("4")
	term.WaitFor(10*time.Second, "No pods here")
	term.Keys("f")
	term.WaitFor(10*time.Second, "no pods here: logs are for pods and the workloads that run them")
	term.Keys("?")
	term.WaitFor(10*time.Second, "Logs tab", "follow on or off / follow again (off now)")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "esc back  tab next tab")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "↑↓ move  →← open")

	// The clusters view lists its own keys; esc closes the help, then the view.
	term.Keys("C")
	term.WaitFor(10*time.Second, "Clusters ·", "esc tree  ↑↓ select")
	term.Keys("?")
	term.WaitFor(10*time.Second, "accept a pending cluster (asks first)", "back to the tree")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "esc tree  ↑↓ select")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "↑↓ move  →← open")

	// Nodes: with a node's pods open, esc closes them first.
	term.Keys("U")
	term.WaitFor(10*time.Second, "Nodes of cluster1")
	term.Keys("Enter")
	term.WaitFor(10*time.Second, "Pods on ", "esc close pods")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "esc tree  ↑↓ select")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "↑↓ move  →← open")
	quitFromTheTree(term)
}
