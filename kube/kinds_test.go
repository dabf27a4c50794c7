package kube

import "testing"

func TestResolveKindTakesKubectlNames(t *testing.T) {
	for typed, want := range map[string]string{
		"no": "Node", "nodes": "Node", "deploy": "Deployment", "PO": "Pod", "pvc": "PersistentVolumeClaim", "Widget": "Widget",
	} {
		if got := ResolveKind(typed); got != want {
			t.Errorf("ResolveKind(%q) = %q, want %q", typed, got, want)
		}
	}
}
