package kube

import (
	"slices"
	"testing"
)

func TestClosestNamesTheNearestKindsFirst(t *testing.T) {
	names := []string{"pods", "pod", "po", "deployments", "deployment", "deploy", "widgets", "wdg", "pods"}
	for want, closestOnes := range map[string][]string{
		"deploymnt": {"deployment", "deployments", "deploy"},
		"pds":       {"pods", "po", "pod"},
		"wdgets":    {"widgets", "wdg", "pods"},
	} {
		if got := closest(want, names, 3); !slices.Equal(got, closestOnes) {
			t.Errorf("closest(%q) = %v, want %v", want, got, closestOnes)
		}
	}
	if got := closest("x", nil, 3); len(got) != 0 {
		t.Errorf("closest among none = %v", got)
	}
}

func TestHostDirIsKubectls(t *testing.T) {
	if got := hostDir("https://127.0.0.1:6443"); got != "127.0.0.1_6443" {
		t.Errorf("hostDir = %q", got)
	}
}
