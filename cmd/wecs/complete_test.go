package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// complete runs wecs's hidden __complete command as the shells do and
// returns the offered words and the directive line.
func complete(t *testing.T, kubeconfig string, args ...string) ([]string, string) {
	t.Helper()
	line := append([]string{"__complete", "--kubeconfig", kubeconfig}, args...)
	out, stderr, code := runWecs(t, line...)
	if code != 0 {
		t.Fatalf("wecs %v: exit %d: %s", line, code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	directive := lines[len(lines)-1]
	if !strings.HasPrefix(directive, ":") {
		t.Fatalf("wecs %v: no directive line in %q", line, out)
	}
	words := slices.Clone(lines[:len(lines)-1])
	slices.Sort(words)
	return words, directive
}

// prefixed writes each of kubectl's "kind/name" lines as prefix+name+suffix.
func prefixed(lines []string, prefix, suffix string) []string {
	var out []string
	for _, l := range lines {
		out = append(out, prefix+l[strings.Index(l, "/")+1:]+suffix)
	}
	slices.Sort(out)
	return out
}

// TestCompletionOffersTheFleetsRealNames completes contexts, WECs, -o and
// --status values and the CLUSTER/NAMESPACE/POD argument of logs, and
// compares the names with kubectl's for the same servers.
func TestCompletionOffersTheFleetsRealNames(t *testing.T) {
	s := sandboxtest.Shared(t)
	const noFiles, noSpace = ":4", ":6"
	check := func(what string, got []string, directive string, want []string, wantDirective string) {
		t.Helper()
		if !slices.Equal(got, want) || directive != wantDirective {
			t.Errorf("%s: got %q %s, want %q %s", what, got, directive, want, wantDirective)
		}
	}

	got, dir := complete(t, s.Kubeconfig, "get", "--cluster", "")
	check("--cluster", got, dir, prefixed(kubectlLines(t, s, "its1", "get", "managedclusters", "-o", "name"), "", ""), noFiles)

	got, dir = complete(t, s.Kubeconfig, "tui", "--its-context", "")
	check("--its-context", got, dir, kubectlLines(t, s, "its1", "config", "get-contexts", "-o", "name"), noFiles)

	got, dir = complete(t, s.Kubeconfig, "get", "-o", "js")
	check("-o js", got, dir, []string{"json", "jsonpath-as-json=", "jsonpath-file=", "jsonpath="}, noFiles)
	got, dir = complete(t, s.Kubeconfig, "get", "-o", "custom")
	check("-o custom", got, dir, []string{"custom-columns="}, noSpace)

	got, dir = complete(t, s.Kubeconfig, "clusters", "--status", "")
	check("clusters --status", got, dir, []string{"Active", "Inactive", "Pending", "Unknown"}, noFiles)

	got, dir = complete(t, s.Kubeconfig, "logs", "cluster2/")
	check("logs cluster2/", got, dir, prefixed(kubectlLines(t, s, "cluster2", "get", "namespaces", "-o", "name"), "cluster2/", "/"), noSpace)

	const ns = "shop"
	got, dir = complete(t, s.Kubeconfig, "logs", "cluster2/"+ns+"/")
	check("logs cluster2/shop/", got, dir, prefixed(kubectlLines(t, s, "cluster2", "get", "pods", "-n", ns, "-o", "name"), "cluster2/"+ns+"/", ""), noFiles)

	got, dir = complete(t, s.Kubeconfig, "events", "cluster1/"+ns+"/deployments/")
	check("events cluster1/shop/deployments/", got, dir, prefixed(kubectlLines(t, s, "cluster1", "get", "deployments", "-n", ns, "-o", "name"), "cluster1/"+ns+"/deployments/", ""), noFiles)
}
