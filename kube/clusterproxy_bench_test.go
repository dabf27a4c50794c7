package kube_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// BenchmarkFleetThroughClusterProxy measures, in each round, the time until
// every accepted WEC is Connected (its whole tree built) through the ITS's
// cluster-proxy and, as its floor, through each WEC's own context (the
// pending WEC's context left out, so both fleets hold the same WECs).
func BenchmarkFleetThroughClusterProxy(b *testing.B) {
	s := sandboxtest.Shared(b)
	direct := kubeconfigWithout(b, s.Kubeconfig, s.Pending)
	var proxied, straight time.Duration
	for b.Loop() {
		straight += timeUntilConnected(b, direct, s.WECNames())
		proxied += timeUntilConnected(b, s.ITSOnlyKubeconfig(), s.WECNames())
	}
	b.ReportMetric(float64(proxied.Nanoseconds())/float64(b.N), "proxy-ns")
	b.ReportMetric(float64(straight.Nanoseconds())/float64(b.N), "direct-ns")
}

// kubeconfigWithout is a copy of the kubeconfig at path without context.
func kubeconfigWithout(b *testing.B, path, context string) string {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		b.Fatal(err)
	}
	delete(cfg.Contexts, context)
	out := filepath.Join(b.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, out); err != nil {
		b.Fatal(err)
	}
	return out
}

// timeUntilConnected starts a Fleet on kubeconfig and times it until the
// WECs named are Connected.
func timeUntilConnected(b *testing.B, kubeconfig string, wecs []string) time.Duration {
	kc, _ := kubeconfigAt(b, kubeconfig)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := time.Now()
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{})
	if err := f.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for connected(f, wecs...) != nil {
		if time.Since(started) > 5*time.Minute {
			b.Fatalf("%s: not every WEC connected within 5m: %v", kubeconfig, connected(f, wecs...))
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(started)
}

// BenchmarkFollowedLogThroughClusterProxy follows the logging pod of
// cluster2 through the ITS's cluster-proxy and, at the same time, through
// cluster2's own context, and reports each way's median latency of a new
// line: from the server's timestamp of the line to its arrival.
func BenchmarkFollowedLogThroughClusterProxy(b *testing.B) {
	s := sandboxtest.Shared(b)
	proxied := followLatencies(b, s.ITSOnlyKubeconfig(), s.WECNames())
	direct := followLatencies(b, s.Kubeconfig, s.WECNames())
	var viaProxy, straight []time.Duration
	for b.Loop() {
		viaProxy = append(viaProxy, <-proxied)
		straight = append(straight, <-direct)
	}
	b.ReportMetric(float64(medianOf(viaProxy).Nanoseconds()), "proxy-latency-ns")
	b.ReportMetric(float64(medianOf(straight).Nanoseconds()), "direct-latency-ns")
}

// followLatencies follows the logging pod of cluster2 with a Fleet on
// kubeconfig (until the benchmark ends) and sends each new line's latency.
func followLatencies(b *testing.B, kubeconfig string, wecs []string) <-chan time.Duration {
	kc, _ := kubeconfigAt(b, kubeconfig)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{})
	if err := f.Start(ctx); err != nil {
		b.Fatal(err)
	}
	find := func() []kube.Object {
		return f.Tree.Find(kube.Filter{Clusters: []string{"cluster2"}, Namespace: "shop", Kinds: []string{"Pod"}, Name: sandbox.LoggingPod})
	}
	deadline := time.Now().Add(2 * time.Minute)
	pod := find()
	for ; len(pod) == 0; pod = find() {
		if time.Now().After(deadline) {
			b.Fatalf("%s: pod shop/%s of cluster2 not in the tree within 2m: %v", kubeconfig, sandbox.LoggingPod, connected(f, wecs...))
		}
		time.Sleep(10 * time.Millisecond)
	}
	lines := make(chan kube.LogLine, 100)
	go f.StreamLogs(ctx, pod[0], []string{"cluster2"}, kube.LogOptions{Container: "app", Follow: true}, lines)
	latencies := make(chan time.Duration, 1000)
	go func() {
		for line := range lines {
			if line.Marker == "" && !line.Time.IsZero() {
				select {
				case latencies <- time.Since(line.Time):
				default: // nobody reads any more
				}
			}
		}
	}()
	return latencies
}

func medianOf(values []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(values))
	return s[len(s)/2]
}
