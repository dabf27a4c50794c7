package main

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// The benchmarks of the real binary run against the sandbox named by
// WECS_SANDBOX_DIR (make bench starts one with 150 nodes and 3,500 pods per
// WEC), else against the package's own small sandbox. Each figure is a
// whole run of the binary, from process start.

// BenchmarkTUIAllConnected is the time from starting wecs tui in a terminal
// to its header saying every WEC is connected (the tree complete); the
// screen is read every 10 ms or so.
func BenchmarkTUIAllConnected(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	all := fmt.Sprintf("%d/%d WECs connected", len(s.WECNames())+1, len(s.WECNames())+1)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 40, bin+" tui --kubeconfig "+s.Kubeconfig)
		term.WaitFor(5*time.Minute, all)
		b.StopTimer()
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// BenchmarkGetPods is wecs get --kind po across the fleet, start to exit.
func BenchmarkGetPods(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	for b.Loop() {
		if out, err := exec.Command(bin, "get", "--kind", "po", "--kubeconfig", s.Kubeconfig).CombinedOutput(); err != nil {
			b.Fatalf("wecs get: %v\n%s", err, out)
		}
	}
}

// BenchmarkRawListPodsFloor is the floor of wecs get --kind po: one LIST of
// the pods of every WEC, all at once, read but not decoded, as
// kubectl get --raw /api/v1/pods reads them.
func BenchmarkRawListPodsFloor(b *testing.B) {
	s := sandboxtest.Shared(b)
	clients := restClients(b, s)
	for b.Loop() {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				if _, err := c.Get().AbsPath("/api/v1/pods").DoRaw(context.Background()); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
}

// restClients are plain clients of the sandbox's WECs.
func restClients(b *testing.B, s *sandbox.State) []rest.Interface {
	var out []rest.Interface
	for _, name := range s.WECNames() {
		cfg, err := s.RESTConfig(name)
		if err != nil {
			b.Fatal(err)
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, cs.CoreV1().RESTClient())
	}
	return out
}
