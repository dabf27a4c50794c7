package main

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// runTimeout bounds one run of wecs: a command that should end and hangs
// instead fails its test rather than the whole run.
const runTimeout = 3 * time.Minute

// runWecs runs the built binary and returns stdout, stderr and the exit code.
func runWecs(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	bin := buildWecs(t) // built before the run's time starts
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Errorf("wecs %v still ran after %s; stderr: %s", args, runTimeout, stderr.String())
		return stdout.String(), stderr.String(), -1
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	t.Fatalf("run wecs: %v", err)
	return "", "", -1
}

func conditionStatus(conds []metav1.Condition, typ string) string {
	for _, c := range conds {
		if c.Type == typ {
			return string(c.Status)
		}
	}
	return ""
}

// wecsNames runs wecs with args and -o custom-columns, and returns the
// objects it printed as CLUSTER/NAMESPACE/NAME, sorted.
func wecsNames(t *testing.T, args ...string) []string {
	t.Helper()
	args = append(args, "--no-headers", "-o", `custom-columns=CLUSTER:.metadata.annotations.wecs\.dev/cluster,NAMESPACE:.metadata.namespace,NAME:.metadata.name`)
	out, stderr, code := runWecs(t, args...)
	if code != 0 {
		t.Fatalf("wecs %v: exit %d: %s", args, code, stderr)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			names = append(names, strings.Join(f, "/"))
		}
	}
	slices.Sort(names)
	return names
}

func TestClustersJSONIsTheManagedClusters(t *testing.T) {
	s := sandboxtest.Shared(t)
	out, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Kind  string                     `json:"kind"`
		Items []clusterv1.ManagedCluster `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	cfg, _ := s.RESTConfig("its1")
	list, err := clusterclient.NewForConfigOrDie(cfg).ClusterV1().ManagedClusters().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "List" || len(got.Items) != len(list.Items) {
		t.Fatalf("a %s of %d clusters printed, %d ManagedClusters", got.Kind, len(got.Items), len(list.Items))
	}
	for i, mc := range list.Items {
		printed := got.Items[i]
		if printed.Kind != "ManagedCluster" || printed.Name != mc.Name || printed.Spec.HubAcceptsClient != mc.Spec.HubAcceptsClient ||
			conditionStatus(printed.Status.Conditions, clusterv1.ManagedClusterConditionJoined) != conditionStatus(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined) {
			t.Errorf("printed %s %s (accepted %v) does not match ManagedCluster %s", printed.Kind, printed.Name, printed.Spec.HubAcceptsClient, mc.Name)
		}
	}
	// The table says each one's status and connection; the pending WEC
	// has a context: it is watched like the others.
	table, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "--no-headers")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, mc := range list.Items {
		wantStatus := "Active"
		if mc.Name == s.Pending {
			wantStatus = "Pending"
		}
		if !regexp.MustCompile(`(?m)^` + mc.Name + `\s+` + wantStatus + `\s+\S+\s+Connected\s`).MatchString(table) {
			t.Errorf("%s is not %s and Connected:\n%s", mc.Name, wantStatus, table)
		}
	}
}

// failedPods lists the failed pods straight from every WEC's apiserver.
// failedPods are the pods the servers say cannot run: phase Failed, or a
// STATUS word of kubectl's that means so (CrashLoopBackOff, OOMKilled …).
func failedPods(t *testing.T, s *sandbox.State) []string {
	t.Helper()
	var out []string
	for _, c := range s.WECNames() {
		cfg, _ := s.RESTConfig(c)
		pods, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods("").List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodFailed {
				out = append(out, c+"/"+p.Namespace+"/"+p.Name)
			}
		}
	}
	for key, line := range kubectlPods(t, s) {
		cluster, rest, _ := strings.Cut(key, "/")
		ns, name, _ := strings.Cut(rest, "/")
		if failedWord(line.status) {
			out = append(out, cluster+"/"+ns+"/"+name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestGetFailedMatchesTheServers(t *testing.T) {
	s := sandboxtest.Shared(t)
	// The failing Job adds pods for a minute or so: compare at a moment
	// when the servers say the same before and after wecs reads them.
	var names, before []string
	var table string
	for attempt := 0; attempt < 20; attempt++ {
		before = failedPods(t, s)
		names = wecsNames(t, "get", "--kubeconfig", s.Kubeconfig, "--status", "Failed", "--kind", "po")
		table, _, _ = runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--status", "failed", "--kind", "pods")
		if after := failedPods(t, s); slices.Equal(before, after) {
			break
		}
		time.Sleep(3 * time.Second)
	}
	if len(before) == 0 {
		t.Fatal("the sandbox has no failed pods to look for")
	}
	if !slices.Equal(names, before) {
		t.Errorf("wecs get --status Failed:\n%v\nthe servers' failed pods:\n%v", names, before)
	}
	// The table names the same objects.
	if rows := strings.Count(strings.TrimSpace(table), "\n"); rows != len(before) || !strings.HasPrefix(table, "CLUSTER") {
		t.Errorf("table has %d rows, want %d:\n%s", rows, len(before), table)
	}
	for _, name := range before {
		parts := strings.Split(name, "/")
		if !regexp.MustCompile(`(?m)^` + parts[0] + `\s+` + parts[1] + `\s+Pod\s+` + parts[2] + `\s+\d+/\d+\s+\S+`).MatchString(table) {
			t.Errorf("the table has no row for %s:\n%s", name, table)
		}
	}
}

func TestUnreachableWECGivesExitCode2(t *testing.T) {
	s := sandboxtest.Shared(t)
	raw, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	raw.Clusters[raw.Contexts["cluster2"].Cluster].Server = "https://127.0.0.1:1"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runWecs(t, "clusters", "--kubeconfig", path)
	if code != exitPartial {
		t.Fatalf("exit %d, want %d: %s %s", code, exitPartial, out, stderr)
	}
	if !strings.Contains(out, "Disconnected: connection refused") || !strings.Contains(stderr, "1 WEC(s) could not be reached") {
		t.Errorf("output does not say cluster2 is unreachable:\n%s\n%s", out, stderr)
	}
	_, stderr, code = runWecs(t, "get", "--kubeconfig", path, "--kind", "deploy", "--output", "xml")
	if code != exitError || !strings.Contains(stderr, "-o xml: use one of table, wide, json, yaml") {
		t.Errorf("bad -o: exit %d, %s", code, stderr)
	}
	_, stderr, code = runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--cluster", "nosuch")
	if code != exitError || !strings.Contains(stderr, "the ITS has no such cluster") {
		t.Errorf("unknown --cluster: exit %d, %s", code, stderr)
	}
}

func TestWhyNotReadNamesTheErrorOrTheWait(t *testing.T) {
	if got := whyNotRead(kube.Connection{State: kube.Disconnected, Err: "connection refused"}); got != "connection refused" {
		t.Errorf("disconnected: %q", got)
	}
	if got := whyNotRead(kube.Connection{State: kube.Connecting}); got != "still connecting after 30s: its API server is slow to list; try again" {
		t.Errorf("connecting: %q", got)
	}
}
