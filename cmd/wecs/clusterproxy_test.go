package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// TestCommandsReachTheWECsThroughTheITSAlone runs wecs clusters, get, logs
// and exec with the fleet operator's kubeconfig, which holds only the ITS: the
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
		// An earlier test's rollout may still be replacing pods: the two
		// reads are compared again until they agree, for a while.
		var got, want []string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
			out, errOut, code := runWecs(t, "get", kc, "--kind", "po", "--system", "--cluster", c, "-o", "name")
			if code != 0 {
				t.Fatalf("wecs get on %s: exit %d: %s", c, code, errOut)
			}
			got = strings.Fields(out)
			slices.Sort(got)
			if want = kubectlLines(t, s, c, "get", "pods", "-A", "-o", "name"); slices.Equal(got, want) || time.Now().After(deadline) {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s through the ITS:\nwecs    %v\nkubectl %v", c, got, want)
		}
	}

	out, errOut, code := runWecs(t, "logs", kc, "cluster3/shop/debug-shell", "-c", "migrate")
	if code != 0 || !strings.Contains(out, "INFO migrations complete") {
		t.Errorf("wecs logs through the ITS (exit %d): %s%s", code, out, errOut)
	}
	out, errOut, code = runWecs(t, "exec", kc, "cluster3/shop/"+sandbox.LoggingPod, "-c", "proxy", "--", "sh", "-c", "echo $"+sandbox.ExecClusterEnv)
	if code != 0 || out != "cluster3\n" {
		t.Errorf("wecs exec through the ITS (exit %d): %q %s", code, out, errOut)
	}
}

// TestTUITourThroughTheITSAlone is a fleet operator's tour with a
// kubeconfig that holds only the ITS: every accepted WEC is Connected
// through the ITS's cluster-proxy, each WEC's pods in the tree are what
// kubectl lists with the admin's kubeconfig, a pod's log follows, a command,
// a shell and a port-forward reach a pod, an edit lands; stopping cluster3's
// proxy agent turns cluster3 Disconnected with the tunnel named while
// cluster2 stays live, and starting it brings cluster3 back whole.
func TestTUITourThroughTheITSAlone(t *testing.T) {
	s := sandboxtest.Shared(t)
	cs, deployment := e2eDeployment(t, s, "cluster3", "e2e-proxy")
	editor := scriptedEditor(t, labelEditor)
	term := tmuxtest.Start(t, 200, 100, "EDITOR="+editor+" KUBECONFIG="+s.ITSOnlyKubeconfig()+" "+buildWecs(t)+" tui")
	wecs := s.WECNames()
	connected := fmt.Sprintf("%d/%d WECs connected", len(wecs), len(wecs)+1)
	term.WaitFor(90*time.Second, "ITS its1", connected)

	// The clusters view says how each WEC is reached.
	term.Keys("C")
	term.WaitUntil(30*time.Second, func(screen string) string {
		return clusterRowsUnmet(screen, wecs, "Connected")
	})
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")

	term.Keys(":", "system", "Enter")
	term.Keys(":", "kind pod", "Enter")
	term.WaitFor(10*time.Second, "kind=Pod")
	for _, c := range wecs {
		treePodsAreTheServers(t, term, s, c)
	}

	// cluster2's logging pod: its log follows; a command, a shell and a
	// port-forward reach it through the ITS.
	term.Keys(":", "cluster cluster2", "Enter")
	term.WaitFor(10*time.Second, "cluster=cluster2")
	term.Keys("/", sandbox.LoggingPod, "Enter")
	term.WaitFor(20*time.Second, "cluster2 › shop › Pod "+sandbox.LoggingPod)
	term.Keys("l")
	term.WaitFor(20*time.Second, "[Logs]", "Pod "+sandbox.LoggingPod+" on cluster2", "· following")
	logKeepsComing(t, term)
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	execShellAndForward(t, term, "cluster2", connected)
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")

	term.Keys("x")
	term.WaitGone(10*time.Second, "cluster=cluster2")
	editLabelInTheTree(t, term, cs, "cluster3", deployment)
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")

	// A tunnel outage: cluster3 alone goes, its tunnel named.
	agent := sandbox.ProxyAgentComponent("cluster3")
	if err := s.StopComponent(agent); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.StartComponent(agent, false) })
	term.Keys("C")
	term.WaitUntil(60*time.Second, func(screen string) string {
		return clusterRowsUnmet(screen, []string{"cluster3"}, "Disconnected")
	})
	term.Keys("j", "j")
	term.WaitFor(10*time.Second, "ManagedCluster cluster3", "proxy agent of cluster3 not connected")
	if unmet := clusterRowsUnmet(term.Screen(), []string{"cluster1", "cluster2"}, "Connected"); unmet != "" {
		t.Errorf("during cluster3's tunnel outage, %s:\n%s", unmet, term.Screen())
	}
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "d/y/v details")
	// cluster2 stays live: a pod created there shows up.
	pod := outagePod(t, s, "cluster2")
	term.Keys(":", "kind pod", "Enter")
	term.Keys(":", "cluster cluster2", "Enter")
	term.WaitFor(10*time.Second, "cluster=cluster2")
	term.Keys("+")
	term.WaitFor(30*time.Second, "Pod "+pod)

	if err := s.StartComponent(agent, false); err != nil {
		t.Fatal(err)
	}
	term.WaitFor(90*time.Second, connected)
	treePodsAreTheServers(t, term, s, "cluster3")
	quitFromTheTree(term)
}

// clusterRowsUnmet is "" when the clusters view shows each of clusters
// reached through the cluster-proxy, its connection starting with state.
func clusterRowsUnmet(screen string, clusters []string, state string) string {
	for _, c := range clusters {
		if !slices.ContainsFunc(strings.Split(screen, "\n"), func(line string) bool {
			f := strings.Fields(line)
			return len(f) > 6 && f[0] == c && f[5] == "(cluster-proxy)" && f[6] == state
		}) {
			return fmt.Sprintf("showed %s %s through the cluster-proxy", c, state)
		}
	}
	return ""
}

// treePodsAreTheServers narrows the tree (showing pods of every
// namespace) to cluster, opens it all, and waits until its pods are the
// ones kubectl lists there with the admin's kubeconfig.
func treePodsAreTheServers(t *testing.T, term *tmuxtest.Session, s *sandbox.State, cluster string) {
	t.Helper()
	term.Keys(":", "cluster "+cluster, "Enter")
	term.WaitFor(10*time.Second, "cluster="+cluster)
	term.Keys("+")
	term.WaitUntil(60*time.Second, func(screen string) string {
		want := kubectlLines(t, s, cluster, "get", "pods", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name")
		if got := treePods(screen, cluster); !slices.Equal(got, want) {
			return fmt.Sprintf("showed %s's pods as kubectl lists them:\ntree    %v\nkubectl %v", cluster, got, want)
		}
		return ""
	})
}

// treePods are the NAMESPACE/NAME of the pods the tree shows under
// cluster's row, sorted.
func treePods(screen, cluster string) []string {
	var pods []string
	in, namespace := false, ""
	for _, line := range strings.Split(screen, "\n") {
		line, _, _ = strings.Cut(line, "│")
		f := strings.Fields(strings.TrimLeft(line, " ▾▸"))
		switch {
		case len(f) > 1 && strings.HasPrefix(f[0], "cluster") && (f[1] == "Active" || f[1] == "Pending"):
			in = f[0] == cluster
		case !in || len(f) < 2:
		case strings.HasPrefix(line, "  ▾ ") || strings.HasPrefix(line, "  ▸ "):
			namespace = f[0]
		case f[0] == "Pod" && strings.HasPrefix(line, "      "):
			pods = append(pods, namespace+"/"+f[1])
		}
	}
	slices.Sort(pods)
	return pods
}

// outagePod creates a bare pod in namespace batch of cluster, deleted when
// the test ends, and returns its name.
func outagePod(t *testing.T, s *sandbox.State, cluster string) string {
	t.Helper()
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	name := fmt.Sprintf("during-outage-%d", time.Now().Unix()%100000)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}}}
	if _, err := cs.CoreV1().Pods("batch").Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Pods("batch").Delete(context.Background(), name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
	})
	return name
}
