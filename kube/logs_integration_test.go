package kube_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// TestLogsOfPodsThatCannotBeScheduledSayWhyOnce follows shop/web on
// cluster2, whose pods no node can take: each pod gets one line with the
// scheduler's reason, and nothing repeats while they stay unscheduled.
func TestLogsOfPodsThatCannotBeScheduledSayWhyOnce(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	web := findOne(t, f, "cluster2", "shop", "Deployment", "web")
	var pods []kube.Object
	waitFor(t, 30*time.Second, "web's pods on cluster2", func() error {
		if pods = f.LogPods(web, "cluster2"); len(pods) == 0 {
			return context.DeadlineExceeded
		}
		return nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := make(chan kube.LogLine, 1000)
	go f.StreamLogs(ctx, web, []string{"cluster2"}, kube.LogOptions{Tail: 10, Follow: true}, ch)
	// Long enough for several of the old one-second reconnects.
	lines := collect(ch, 8*time.Second, func(kube.LogLine) bool { return true }, func([]kube.LogLine) bool { return false })
	perPod := map[string]int{}
	for _, l := range lines {
		if l.Marker == "" || !strings.HasPrefix(l.Marker, "not scheduled: Unschedulable: ") || !strings.Contains(l.Marker, "nodes are available") {
			t.Errorf("from %s: %q %q", l.Source, l.Marker, l.Text)
			continue
		}
		perPod[l.Source.Pod]++
	}
	for _, p := range pods {
		if perPod[p.Name] != 1 {
			t.Errorf("pod %s: %d lines saying why, want 1 (all: %d lines)", p.Name, perPod[p.Name], len(lines))
		}
	}
}

// TestLogsStartWhenAGatedPodIsScheduled follows a pod held by a scheduling
// gate: one line says why, then, once the gate is lifted and kwok runs the
// container, its log lines arrive in the same stream.
func TestLogsStartWhenAGatedPodIsScheduled(t *testing.T) {
	s := sandboxtest.Shared(t)
	f := startFleet(t, s.Kubeconfig)
	cfg, _ := s.RESTConfig("cluster1")
	cs := kubernetes.NewForConfigOrDie(cfg)
	ns := fmt.Sprintf("logs-gated-%d", time.Now().UnixNano())
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "gated"}, Spec: corev1.PodSpec{
		SchedulingGates: []corev1.PodSchedulingGate{{Name: "wecs.test/hold"}},
		Containers:      []corev1.Container{{Name: "app", Image: "example/app:1"}}}}
	if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	o := findOne(t, f, "cluster1", ns, "Pod", "gated")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := make(chan kube.LogLine, 1000)
	go f.StreamLogs(ctx, o, []string{"cluster1"}, kube.LogOptions{Tail: 5, Follow: true}, ch)
	why := collect(ch, 20*time.Second, func(kube.LogLine) bool { return true }, func(l []kube.LogLine) bool { return len(l) > 0 })
	if len(why) != 1 || !strings.HasPrefix(why[0].Marker, "not scheduled: SchedulingGated") {
		t.Fatalf("before the gate is lifted: %+v", why)
	}
	patch := []byte(`[{"op":"remove","path":"/spec/schedulingGates"}]`)
	if _, err := cs.CoreV1().Pods(ns).Patch(t.Context(), "gated", types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	var markers []string
	got := collect(ch, 90*time.Second, func(l kube.LogLine) bool {
		if l.Marker != "" {
			markers = append(markers, l.Marker)
			return false
		}
		return true
	}, func(l []kube.LogLine) bool { return len(l) > 0 })
	if len(got) == 0 {
		t.Fatalf("no log line within 90s of the gate's removal; markers %q", markers)
	}
	if len(markers) > 2 {
		t.Errorf("markers while the pod started: %q", markers)
	}
}
