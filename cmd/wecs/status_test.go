package main

import (
	"context"
	"fmt"
	"maps"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// statusNamespace holds this test's pods on every WEC.
const statusNamespace = "status-words"

// holdFinalizer keeps the Terminating pod until cleanup removes it.
const holdFinalizer = "wecs.test/hold"

// podState is one pod to create and the status to write through the
// status subresource. No scheduler is named wecs-none, so nothing binds
// the pods and kwok never touches them.
type podState struct {
	name    string
	inits   []corev1.Container
	status  corev1.PodStatus
	deleted bool
}

func statusPods() []podState {
	ago := metav1.NewTime(time.Now().Add(-12*time.Minute - 20*time.Second))
	last := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: ago, StartedAt: ago}}
	wait := func(name, reason string, restarts int32) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, Image: "img", RestartCount: restarts,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
	}
	done := func(name, reason string, code int32) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, Image: "img",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: code, StartedAt: ago, FinishedAt: ago}}}
	}
	run := func(name string, ready bool) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, Image: "img", Ready: ready, Started: &ready,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: ago}}}
	}
	cond := func(typ corev1.PodConditionType, ok bool) corev1.PodCondition {
		st := corev1.ConditionFalse
		if ok {
			st = corev1.ConditionTrue
		}
		return corev1.PodCondition{Type: typ, Status: st, LastTransitionTime: ago}
	}
	crashing := wait("app", "CrashLoopBackOff", 7)
	crashing.LastTerminationState = last
	initCrashing := wait("migrate", "CrashLoopBackOff", 4)
	initCrashing.LastTerminationState = last
	always := corev1.ContainerRestartPolicyAlways
	twoInits := []corev1.Container{{Name: "migrate", Image: "img"}, {Name: "seed", Image: "img"}}
	proxy := run("proxy", true)
	proxy.RestartCount = 2
	proxy.LastTerminationState = last
	return []podState{
		{name: "crashloop", status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{cond(corev1.PodReady, false)},
			ContainerStatuses: []corev1.ContainerStatus{crashing}}},
		{name: "imagepull", status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{wait("app", "ImagePullBackOff", 0)}}},
		{name: "oomkilled", status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{done("app", "OOMKilled", 137)}}},
		{name: "error", status: corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{done("app", "Error", 1)}}},
		{name: "completed", status: corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{done("app", "Completed", 0)}}},
		{name: "evicted", status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted", Message: "The node was low on resource: memory."}},
		{name: "init-progress", inits: twoInits, status: corev1.PodStatus{Phase: corev1.PodPending,
			Conditions:            []corev1.PodCondition{cond(corev1.PodInitialized, false)},
			InitContainerStatuses: []corev1.ContainerStatus{run("migrate", false), wait("seed", "PodInitializing", 0)},
			ContainerStatuses:     []corev1.ContainerStatus{wait("app", "PodInitializing", 0)}}},
		{name: "init-crashloop", inits: twoInits, status: corev1.PodStatus{Phase: corev1.PodPending,
			Conditions:            []corev1.PodCondition{cond(corev1.PodInitialized, false)},
			InitContainerStatuses: []corev1.ContainerStatus{initCrashing, wait("seed", "PodInitializing", 0)},
			ContainerStatuses:     []corev1.ContainerStatus{wait("app", "PodInitializing", 0)}}},
		{name: "sidecar", inits: []corev1.Container{{Name: "proxy", Image: "img", RestartPolicy: &always}}, status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions:            []corev1.PodCondition{cond(corev1.PodInitialized, true), cond(corev1.PodReady, false)},
			InitContainerStatuses: []corev1.ContainerStatus{proxy},
			ContainerStatuses:     []corev1.ContainerStatus{run("app", false)}}},
		{name: "terminating", deleted: true, status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{cond(corev1.PodReady, true)}, ContainerStatuses: []corev1.ContainerStatus{run("app", true)}}},
	}
}

// createStatusPods puts the pods on one WEC and registers their cleanup.
func createStatusPods(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	ctx := t.Context()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: statusNamespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pods := cs.CoreV1().Pods(statusNamespace)
		patch := []byte(`{"metadata":{"finalizers":null}}`)
		_, _ = pods.Patch(ctx, "terminating", types.MergePatchType, patch, metav1.PatchOptions{})
		_ = cs.CoreV1().Namespaces().Delete(ctx, statusNamespace, metav1.DeleteOptions{})
	})
	pods := cs.CoreV1().Pods(statusNamespace)
	for _, p := range statusPods() {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: p.name}, Spec: corev1.PodSpec{SchedulerName: "wecs-none",
			InitContainers: p.inits, Containers: []corev1.Container{{Name: "app", Image: "img"}}}}
		if p.deleted {
			pod.Finalizers = []string{holdFinalizer}
		}
		created, err := pods.Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		created.Status = p.status
		if _, err := pods.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("status of %s: %v", p.name, err)
		}
		if p.deleted {
			if err := pods.Delete(ctx, p.name, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// podLine is one pod's READY, STATUS and RESTARTS.
type podLine struct{ ready, status, restarts string }

// kubectlPods is `kubectl get pods -A` on every WEC, keyed cluster/ns/name.
func kubectlPods(t *testing.T, s *sandbox.State) map[string]podLine {
	t.Helper()
	out := map[string]podLine{}
	for _, c := range s.WECNames() {
		raw, err := exec.Command("kubectl", "--kubeconfig", s.Kubeconfig, "--context", c, "get", "pods", "-A", "--no-headers").CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl on %s: %v: %s", c, err, raw)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			// NAMESPACE NAME READY STATUS RESTARTS [(AGE ago)] AGE
			f := strings.Fields(line)
			if len(f) < 6 {
				continue
			}
			restarts := strings.Join(f[4:len(f)-1], " ")
			out[c+"/"+f[0]+"/"+f[1]] = podLine{ready: f[2], status: f[3], restarts: restarts}
		}
	}
	return out
}

// wecsPods is the same from `wecs get --kind po --system`'s table, with
// the names of the Failed-class pods.
func wecsPods(t *testing.T, s *sandbox.State) (map[string]podLine, []string) {
	t.Helper()
	out, stderr, code := runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "--system", "--no-headers")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pods := map[string]podLine{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		// CLUSTER NAMESPACE KIND NAME READY STATUS RESTARTS [(AGE ago)] AGE
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		pods[f[0]+"/"+f[1]+"/"+f[3]] = podLine{ready: f[4], status: f[5], restarts: strings.Join(f[6:len(f)-1], " ")}
	}
	return pods, wecsNames(t, "get", "--kubeconfig", s.Kubeconfig, "--kind", "po", "--system", "--status", "Failed")
}

func diffPods(kubectl, wecs map[string]podLine) []string {
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(kubectl)) {
		if w, ok := wecs[k]; !ok {
			diffs = append(diffs, k+": not listed by wecs")
		} else if w != kubectl[k] {
			diffs = append(diffs, fmt.Sprintf("%s: kubectl %+v, wecs %+v", k, kubectl[k], w))
		}
	}
	for k := range wecs {
		if _, ok := kubectl[k]; !ok {
			diffs = append(diffs, k+": not listed by kubectl")
		}
	}
	return diffs
}

func TestPodStatusWordsMatchKubectl(t *testing.T) {
	s := sandboxtest.Shared(t)
	for _, c := range s.WECNames() {
		cfg, err := s.RESTConfig(c)
		if err != nil {
			t.Fatal(err)
		}
		createStatusPods(t, kubernetes.NewForConfigOrDie(cfg))
	}
	// Other pods of the sandbox change on their own: compare at a moment
	// when kubectl says the same before and after wecs reads.
	var diffs []string
	var failed []string
	var before map[string]podLine
	for attempt := 0; attempt < 20; attempt++ {
		before = kubectlPods(t, s)
		var got map[string]podLine
		got, failed = wecsPods(t, s)
		after := kubectlPods(t, s)
		if !maps.Equal(before, after) {
			time.Sleep(3 * time.Second)
			continue
		}
		if diffs = diffPods(before, got); len(diffs) == 0 {
			break
		}
		time.Sleep(3 * time.Second)
	}
	if len(diffs) > 0 {
		t.Fatalf("wecs and kubectl differ on %d pods:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
	// Every state was made on every WEC, and read as kubectl reads it.
	want := map[string]podLine{
		"crashloop":      {"0/1", "CrashLoopBackOff", "7 (12m ago)"},
		"imagepull":      {"0/1", "ImagePullBackOff", "0"},
		"oomkilled":      {"0/1", "OOMKilled", "0"},
		"error":          {"0/1", "Error", "0"},
		"completed":      {"0/1", "Completed", "0"},
		"evicted":        {"0/1", "Evicted", "0"},
		"init-progress":  {"0/1", "Init:0/2", "0"},
		"init-crashloop": {"0/1", "Init:CrashLoopBackOff", "4 (12m ago)"},
		"sidecar":        {"1/2", "Running", "2 (12m ago)"},
	}
	var wantFailed []string
	for _, c := range s.WECNames() {
		for name, line := range want {
			got := before[c+"/"+statusNamespace+"/"+name]
			// The restarts' age depends on when the test ran.
			got.restarts, _, _ = strings.Cut(got.restarts, " ")
			line.restarts, _, _ = strings.Cut(line.restarts, " ")
			if got != line {
				t.Errorf("%s/%s: kubectl says %+v, the test wrote %+v", c, name, got, line)
			}
		}
	}
	// In this test's namespace, where every word is known.
	failed = slices.DeleteFunc(failed, func(k string) bool { return !strings.Contains(k, "/"+statusNamespace+"/") })
	for k, line := range before {
		if strings.Contains(k, "/"+statusNamespace+"/") && failedWord(line.status) {
			wantFailed = append(wantFailed, k)
		}
	}
	slices.Sort(wantFailed)
	if !slices.Equal(failed, wantFailed) {
		t.Errorf("Failed in wecs:\n%v\nkubectl's failed words:\n%v", failed, wantFailed)
	}
	// --status takes a kubectl word too.
	out, stderr, code := runWecs(t, "get", "--kubeconfig", s.Kubeconfig, "--status", "crashloopbackoff", "-n", statusNamespace)
	if code != 0 || strings.Count(out, "CrashLoopBackOff") != len(s.WECNames()) || !strings.HasPrefix(out, "CLUSTER") ||
		!strings.Contains(out, "READY") || !strings.Contains(out, "RESTARTS") {
		t.Errorf("--status CrashLoopBackOff (exit %d, %s):\n%s", code, stderr, out)
	}
}

// failedWord reports whether kubectl's word means a pod that cannot run.
func failedWord(w string) bool {
	switch w {
	case "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "OOMKilled", "Error", "Evicted", "Failed", "ContainerStatusUnknown":
		return true
	}
	if strings.HasPrefix(w, "ExitCode:") || strings.HasPrefix(w, "Signal:") {
		return true
	}
	return strings.HasPrefix(w, "Init:") && !regexp.MustCompile(`^Init:\d+/\d+$`).MatchString(w)
}
