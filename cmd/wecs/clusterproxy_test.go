package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// TestCommandsReachTheWECsThroughTheITSAlone runs wecs clusters, get and
// logs with the fleet operator's kubeconfig, which holds only the ITS: the
// WECs are reached through the ITS's cluster-proxy, and what wecs prints
// equals what kubectl reads from each WEC directly.
func TestCommandsReachTheWECsThroughTheITSAlone(t *testing.T) {
	s := sandboxtest.Shared(t)
	kc := "--kubeconfig=" + s.ITSOnlyKubeconfig()

	out, errOut, _ := runWecs(t, "clusters", kc)
	for _, c := range s.WECNames() {
		if !slices.ContainsFunc(strings.Split(out, "\n"), func(line string) bool {
			f := strings.Fields(line)
			return len(f) > 3 && f[0] == c && f[2] == "(cluster-proxy)" && f[3] == "Connected"
		}) {
			t.Errorf("wecs clusters: %s not Connected through the cluster-proxy:\n%s%s", c, out, errOut)
		}
	}

	for _, c := range s.WECNames() {
		out, errOut, code := runWecs(t, "get", kc, "--kind", "po", "--system", "--cluster", c, "-o", "name")
		if code != 0 {
			t.Fatalf("wecs get on %s: exit %d: %s", c, code, errOut)
		}
		got := strings.Fields(out)
		slices.Sort(got)
		if want := kubectlLines(t, s, c, "get", "pods", "-A", "-o", "name"); !slices.Equal(got, want) {
			t.Errorf("%s through the ITS:\nwecs    %v\nkubectl %v", c, got, want)
		}
	}

	out, errOut, code := runWecs(t, "logs", kc, "cluster3/shop/debug-shell", "-c", "migrate")
	if code != 0 || !strings.Contains(out, "INFO migrations complete") {
		t.Errorf("wecs logs through the ITS (exit %d): %s%s", code, out, errOut)
	}
}
