package kube_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
