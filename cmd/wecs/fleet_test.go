package main

import (
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

// runWecs runs the built binary and returns stdout, stderr and the exit code.
func runWecs(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(buildWecs(t), args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
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

func TestClustersJSONMatchesTheManagedClusters(t *testing.T) {
	s := sandboxtest.Shared(t)
	out, stderr, code := runWecs(t, "clusters", "--kubeconfig", s.Kubeconfig, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Clusters []clusterRow `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	cfg, _ := s.RESTConfig("its1")
	list, err := clusterclient.NewForConfigOrDie(cfg).ClusterV1().ManagedClusters().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Clusters) != len(list.Items) {
		t.Fatalf("%d clusters printed, %d ManagedClusters", len(got.Clusters), len(list.Items))
	}
	for i, mc := range list.Items {
		row := got.Clusters[i]
		joined := conditionStatus(mc.Status.Conditions, clusterv1.ManagedClusterConditionJoined) == "True"
		if row.Name != mc.Name || row.Accepted != mc.Spec.HubAcceptsClient || row.Joined != joined ||
			row.Available != conditionStatus(mc.Status.Conditions, clusterv1.ManagedClusterConditionAvailable) {
			t.Errorf("row %+v does not match ManagedCluster %s (accepted %v, joined %v)", row, mc.Name, mc.Spec.HubAcceptsClient, joined)
		}
		// The pending WEC has a context: it is watched like the others.
		wantStatus, wantConn := "Active", "Connected"
		if mc.Name == s.Pending {
			wantStatus = "Pending"
		}
		if string(row.Status) != wantStatus || string(row.Connection) != wantConn {
			t.Errorf("%s: status %s, connection %s; want %s, %s", row.Name, row.Status, row.Connection, wantStatus, wantConn)
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
				out = append(out, c+"/"+p.Namespace+"/Pod/"+p.Name)
			}
		}
	}
	for key, line := range kubectlPods(t, s) {
		cluster, rest, _ := strings.Cut(key, "/")
		ns, name, _ := strings.Cut(rest, "/")
		if failedWord(line.status) {
			out = append(out, cluster+"/"+ns+"/Pod/"+name)
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
		out, stderr, code := runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--status", "Failed", "--kind", "po", "-o", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var got struct {
			Items []objectRow `json:"items"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		names = names[:0]
		for _, it := range got.Items {
			names = append(names, it.Cluster+"/"+it.Namespace+"/"+it.Kind+"/"+it.Name)
		}
		slices.Sort(names)
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
		if !regexp.MustCompile(`(?m)^` + parts[0] + `\s+` + parts[1] + `\s+Pod\s+` + parts[3] + `\s+\d+/\d+\s+\S+`).MatchString(table) {
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
