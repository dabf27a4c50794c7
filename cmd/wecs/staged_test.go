package main

import (
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// stagedKinds are the resources the sandbox's binding policies name, and
// so the staged view lists.
const stagedKinds = "configmaps,services,deployments.apps,daemonsets.apps"

// editedAnnotation is what the scripted editor adds to the staged
// ConfigMap.
const editedAnnotation = "wecs.dev/staged-edit-test"

// TestTUIStagedViewListsTheWDSAndEditsItsCopy: :staged lists the objects
// kubectl lists in the WDS, each with the policies that select it; enter
// and y show the WDS's copy, marked as such; e edits it in the WDS, which
// kubectl then shows, and the status line names the WDS and the WECs.
func TestTUIStagedViewListsTheWDSAndEditsItsCopy(t *testing.T) {
	s := sandboxtest.Shared(t)
	kubectl := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(t.Context(), "kubectl", append([]string{"--kubeconfig", s.Kubeconfig, "--context", sandbox.WDS}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	want := strings.Fields(kubectl("get", stagedKinds, "-A", "-o", `jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{" "}{end}`))
	slices.Sort(want)

	editor := scriptedEditor(t, `sed -i 's|^metadata:$|metadata:\n  annotations: {`+editedAnnotation+`: "yes"}|' "$1"`)
	t.Cleanup(func() {
		_ = exec.Command("kubectl", "--kubeconfig", s.Kubeconfig, "--context", sandbox.WDS, "annotate", "-n", "reports", "configmap", "daily-report", editedAnnotation+"-").Run()
	})
	term := tmuxtest.Start(t, 200, 45, "EDITOR="+editor+" "+buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected")
	term.Keys(":staged", "Enter")
	screen := term.WaitFor(30*time.Second, "Staged workloads · WDS wds1 · ", "KIND")
	// The rows: from the line after the head to the first empty one.
	row := regexp.MustCompile(`^(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+(.+?)\s*$`)
	rows, _, _ := strings.Cut(strings.SplitN(screen[strings.Index(screen, "KIND"):], "\n", 2)[1], "\n\n")
	var got []string
	policies := map[string]string{}
	for _, line := range strings.Split(rows, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("row %q is not KIND NAMESPACE NAME LABELS POLICIES:\n%s", line, screen)
		}
		key := m[1] + "/" + m[2] + "/" + m[3]
		got = append(got, key)
		policies[key] = m[4]
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("the staged view lists %v, kubectl %v:\n%s", got, want, screen)
	}
	unselected := 0
	for key, p := range policies {
		if p == "! no policy" {
			unselected++
		}
		if strings.HasPrefix(key, "ConfigMap/kube-system/") && p != "! no policy" {
			t.Errorf("%s: policies %q, want none", key, p)
		}
	}
	for key, p := range map[string]string{"Deployment/shop/web": "shop-policy", "DaemonSet/monitoring/node-exporter": "monitoring-policy",
		"ConfigMap/reports/daily-report": "gpu-policy,reports-policy", "Service/default/kubernetes": "! no policy"} {
		if policies[key] != p {
			t.Errorf("%s: policies %q, want %q", key, policies[key], p)
		}
	}
	title := regexp.MustCompile(`Staged workloads · WDS wds1 · (\d+) objects · (\d+) selected by no policy`).FindStringSubmatch(screen)
	if title == nil || title[1] != strconv.Itoa(len(want)) || title[2] != strconv.Itoa(unselected) {
		t.Errorf("title %q, want %d objects, %d unselected:\n%s", title, len(want), unselected, screen)
	}

	term.Keys("/", "daily-report", "Enter")
	term.WaitFor(10*time.Second, "(1 of ")
	term.Keys("Enter")
	term.WaitFor(10*time.Second, "wds1 › reports › ConfigMap daily-report (WDS)", "ConfigMap reports/daily-report in the WDS wds1", "The WDS wds1's copy")
	term.Keys("y")
	term.WaitFor(10*time.Second, "schedule: 0 6 * * *", "[YAML]")
	term.Keys("e")
	term.WaitFor(30*time.Second, "edited ConfigMap reports/daily-report in the WDS wds1; KubeStellar will deliver it to cluster2 (gpu-policy, reports-policy)")
	if got := kubectl("get", "-n", "reports", "configmap", "daily-report", "-o", `jsonpath={.metadata.annotations}`); !strings.Contains(got, `"`+editedAnnotation+`":"yes"`) {
		t.Errorf("the WDS's daily-report after the edit has annotations %s", got)
	}
	// Its next read shows the edit in the pane.
	term.WaitFor(15*time.Second, editedAnnotation+": \"yes\"")
}
