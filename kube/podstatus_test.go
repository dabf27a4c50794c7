package kube

import (
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// podFixture builds a pod the way a server sends it (through JSON).
func podFixture(t *testing.T, spec corev1.PodSpec, status corev1.PodStatus, deleted bool) *unstructured.Unstructured {
	t.Helper()
	pod := corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"}, Spec: spec, Status: status}
	if deleted {
		pod.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	}
	js, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatal(err)
	}
	return u
}

func containers(names ...string) []corev1.Container {
	var cs []corev1.Container
	for _, n := range names {
		cs = append(cs, corev1.Container{Name: n, Image: "img"})
	}
	return cs
}

func running(name string, ready bool, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Ready: ready, RestartCount: restarts, Started: &ready,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func waiting(name, reason string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, RestartCount: restarts,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}

func terminated(name, reason string, code, signal int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: code, Signal: signal}}}
}

// lastFinished sets when a container last terminated.
func lastFinished(c corev1.ContainerStatus, at time.Time) corev1.ContainerStatus {
	c.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1, FinishedAt: metav1.Time{Time: at}}
	return c
}

func conditions(ready, initialized bool) []corev1.PodCondition {
	str := func(b bool) corev1.ConditionStatus {
		if b {
			return corev1.ConditionTrue
		}
		return corev1.ConditionFalse
	}
	return []corev1.PodCondition{{Type: corev1.PodInitialized, Status: str(initialized)}, {Type: corev1.PodReady, Status: str(ready)}}
}

func TestPodStatusIsKubectlsWord(t *testing.T) {
	now := time.Now()
	twelveMinutesAgo := now.Add(-12*time.Minute - 20*time.Second)
	sidecar := corev1.ContainerRestartPolicyAlways
	withSidecar := corev1.PodSpec{Containers: containers("app"),
		InitContainers: []corev1.Container{{Name: "proxy", Image: "img", RestartPolicy: &sidecar}}}
	oneApp := corev1.PodSpec{Containers: containers("app")}
	twoInits := corev1.PodSpec{Containers: containers("app"), InitContainers: containers("migrate", "seed")}
	cases := []struct {
		name     string
		spec     corev1.PodSpec
		status   corev1.PodStatus
		deleted  bool
		word     string
		class    Status
		ready    string
		restarts string
	}{
		{"running", oneApp, corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(true, true),
			ContainerStatuses: []corev1.ContainerStatus{running("app", true, 0)}}, false, "Running", StatusRunning, "1/1", "0"},
		{"running, not ready", oneApp, corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(false, true),
			ContainerStatuses: []corev1.ContainerStatus{running("app", false, 0)}}, false, "Running", StatusNotReady, "0/1", "0"},
		{"crash loop", oneApp, corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(false, true),
			ContainerStatuses: []corev1.ContainerStatus{lastFinished(waiting("app", "CrashLoopBackOff", 7), twelveMinutesAgo)}},
			false, "CrashLoopBackOff", StatusFailed, "0/1", "7 (12m ago)"},
		{"image pull back-off", oneApp, corev1.PodStatus{Phase: corev1.PodPending,
			ContainerStatuses: []corev1.ContainerStatus{waiting("app", "ImagePullBackOff", 0)}}, false, "ImagePullBackOff", StatusFailed, "0/1", "0"},
		{"image pull error", oneApp, corev1.PodStatus{Phase: corev1.PodPending,
			ContainerStatuses: []corev1.ContainerStatus{waiting("app", "ErrImagePull", 0)}}, false, "ErrImagePull", StatusFailed, "0/1", "0"},
		{"container creating", oneApp, corev1.PodStatus{Phase: corev1.PodPending,
			ContainerStatuses: []corev1.ContainerStatus{waiting("app", "ContainerCreating", 0)}}, false, "ContainerCreating", StatusPending, "0/1", "0"},
		{"pod initializing", twoInits, corev1.PodStatus{Phase: corev1.PodPending, Conditions: conditions(false, true),
			InitContainerStatuses: []corev1.ContainerStatus{terminated("migrate", "Completed", 0, 0), terminated("seed", "Completed", 0, 0)},
			ContainerStatuses:     []corev1.ContainerStatus{waiting("app", "PodInitializing", 0)}}, false, "PodInitializing", StatusPending, "0/1", "0"},
		{"OOM killed", oneApp, corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(false, true),
			ContainerStatuses: []corev1.ContainerStatus{terminated("app", "OOMKilled", 137, 0)}}, false, "OOMKilled", StatusFailed, "0/1", "0"},
		{"error", oneApp, corev1.PodStatus{Phase: corev1.PodFailed,
			ContainerStatuses: []corev1.ContainerStatus{terminated("app", "Error", 1, 0)}}, false, "Error", StatusFailed, "0/1", "0"},
		{"signal", oneApp, corev1.PodStatus{Phase: corev1.PodRunning,
			ContainerStatuses: []corev1.ContainerStatus{terminated("app", "", 137, 9)}}, false, "Signal:9", StatusFailed, "0/1", "0"},
		{"exit code", oneApp, corev1.PodStatus{Phase: corev1.PodRunning,
			ContainerStatuses: []corev1.ContainerStatus{terminated("app", "", 3, 0)}}, false, "ExitCode:3", StatusFailed, "0/1", "0"},
		{"completed", oneApp, corev1.PodStatus{Phase: corev1.PodSucceeded,
			ContainerStatuses: []corev1.ContainerStatus{terminated("app", "Completed", 0, 0)}}, false, "Completed", StatusSucceeded, "0/1", "0"},
		{"one container done, one running, pod not ready", corev1.PodSpec{Containers: containers("job", "web")},
			corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(false, true),
				ContainerStatuses: []corev1.ContainerStatus{terminated("job", "Completed", 0, 0), running("web", true, 0)}},
			false, "NotReady", StatusNotReady, "1/2", "0"},
		{"evicted", oneApp, corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted"}, false, "Evicted", StatusFailed, "0/1", "0"},
		{"scheduling gated", oneApp, corev1.PodStatus{Phase: corev1.PodPending,
			Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "SchedulingGated"}}},
			false, "SchedulingGated", StatusPending, "0/1", "0"},
		{"unscheduled", oneApp, corev1.PodStatus{Phase: corev1.PodPending}, false, "Pending", StatusPending, "0/1", "0"},
		{"first of two init containers running", twoInits, corev1.PodStatus{Phase: corev1.PodPending, Conditions: conditions(false, false),
			InitContainerStatuses: []corev1.ContainerStatus{running("migrate", false, 0), waiting("seed", "PodInitializing", 0)},
			ContainerStatuses:     []corev1.ContainerStatus{waiting("app", "PodInitializing", 0)}}, false, "Init:0/2", StatusPending, "0/1", "0"},
		{"init container crash loop", twoInits, corev1.PodStatus{Phase: corev1.PodPending, Conditions: conditions(false, false),
			InitContainerStatuses: []corev1.ContainerStatus{lastFinished(waiting("migrate", "CrashLoopBackOff", 4), twelveMinutesAgo), waiting("seed", "PodInitializing", 0)},
			ContainerStatuses:     []corev1.ContainerStatus{waiting("app", "PodInitializing", 0)}}, false, "Init:CrashLoopBackOff", StatusFailed, "0/1", "4 (12m ago)"},
		{"init container error", twoInits, corev1.PodStatus{Phase: corev1.PodPending, Conditions: conditions(false, false),
			InitContainerStatuses: []corev1.ContainerStatus{terminated("migrate", "Completed", 0, 0), terminated("seed", "Error", 1, 0)}},
			false, "Init:Error", StatusFailed, "0/1", "0"},
		{"init container exit code", twoInits, corev1.PodStatus{Phase: corev1.PodPending,
			InitContainerStatuses: []corev1.ContainerStatus{terminated("migrate", "", 2, 0)}}, false, "Init:ExitCode:2", StatusFailed, "0/1", "0"},
		{"init container signal", twoInits, corev1.PodStatus{Phase: corev1.PodPending,
			InitContainerStatuses: []corev1.ContainerStatus{terminated("migrate", "", 137, 9)}}, false, "Init:Signal:9", StatusFailed, "0/1", "0"},
		{"native sidecar counted", withSidecar, corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(false, true),
			InitContainerStatuses: []corev1.ContainerStatus{lastFinished(running("proxy", true, 2), twelveMinutesAgo)},
			ContainerStatuses:     []corev1.ContainerStatus{lastFinished(running("app", false, 1), now.Add(-90*time.Minute))}},
			false, "Running", StatusNotReady, "1/2", "3 (12m ago)"},
		{"terminating", oneApp, corev1.PodStatus{Phase: corev1.PodRunning, Conditions: conditions(true, true),
			ContainerStatuses: []corev1.ContainerStatus{running("app", true, 0)}}, true, "Terminating", StatusTerminating, "1/1", "0"},
		{"deleted after it completed", oneApp, corev1.PodStatus{Phase: corev1.PodSucceeded,
			ContainerStatuses: []corev1.ContainerStatus{terminated("app", "Completed", 0, 0)}}, true, "Completed", StatusSucceeded, "0/1", "0"},
		{"node lost and deleted", oneApp, corev1.PodStatus{Phase: corev1.PodRunning, Reason: "NodeLost",
			ContainerStatuses: []corev1.ContainerStatus{running("app", true, 0)}}, true, "Unknown", StatusUnknown, "1/1", "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := podFixture(t, c.spec, c.status, c.deleted)
			for path, o := range map[string]Object{"json": ToObject("c1", podGVR, u), "typed": readAsServed(t, podGVR, u)} {
				if o.Word != c.word || o.Status != c.class || o.Ready != c.ready || o.RestartsText(now) != c.restarts {
					t.Errorf("%s: got %s (%s) %s restarts %q, want %s (%s) %s restarts %q",
						path, o.Word, o.Status, o.Ready, o.RestartsText(now), c.word, c.class, c.ready, c.restarts)
				}
			}
		})
	}
}

func TestVolumesAndNodesReadAsKubectlPrintsThem(t *testing.T) {
	volume := func(kind, phase string, deleted bool) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind,
			"metadata": map[string]any{"name": "v"}, "status": map[string]any{"phase": phase}}}
		if deleted {
			u.SetDeletionTimestamp(&metav1.Time{Time: time.Now()})
		}
		return u
	}
	cases := []struct {
		obj   *unstructured.Unstructured
		word  string
		class Status
	}{
		{volume("PersistentVolumeClaim", "Bound", false), "Bound", StatusReady},
		{volume("PersistentVolumeClaim", "Pending", false), "Pending", StatusPending},
		{volume("PersistentVolumeClaim", "Lost", false), "Lost", StatusFailed},
		{volume("PersistentVolumeClaim", "Bound", true), "Terminating", StatusTerminating},
		{volume("PersistentVolume", "Available", false), "Available", StatusReady},
		{volume("PersistentVolume", "Released", false), "Released", StatusNotReady},
		{volume("PersistentVolume", "Failed", false), "Failed", StatusFailed},
		{node("n1", "True", "4", "16Gi"), "Ready", StatusReady},
		{node("n2", "False", "4", "16Gi"), "NotReady,SchedulingDisabled", StatusNotReady},
		{node("n3", "Unknown", "4", "16Gi"), "NotReady", StatusUnknown},
		{&unstructured.Unstructured{Object: map[string]any{"kind": "Node", "spec": map[string]any{"unschedulable": true}}},
			"Unknown,SchedulingDisabled", StatusUnknown},
	}
	for _, c := range cases {
		p := ObjectStatus(c.obj)
		if p.Word != c.word || p.Status != c.class {
			t.Errorf("%s %s: got %q (%s), want %q (%s)", c.obj.GetKind(), c.obj.GetName(), p.Word, p.Status, c.word, c.class)
		}
	}
	cordoned := node("n4", "True", "4", "16Gi")
	cordoned.Object["spec"].(map[string]any)["unschedulable"] = true
	if p := ObjectStatus(cordoned); p.Word != "Ready,SchedulingDisabled" || p.Status != StatusReady {
		t.Errorf("cordoned node: %q (%s)", p.Word, p.Status)
	}
}

func TestRestartsTextIsKubectls(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		n    int
		last time.Time
		want string
	}{
		{0, time.Time{}, "0"},
		{3, time.Time{}, "3"},
		{7, now.Add(-5 * time.Minute), "7 (5m ago)"},
		{12, now.Add(-26 * time.Hour), "12 (26h ago)"},
	} {
		if got := RestartsText(c.n, c.last, now); got != c.want {
			t.Errorf("RestartsText(%d, %v) = %q, want %q", c.n, c.last, got, c.want)
		}
	}
}
