package main

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
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

// BenchmarkTUIClustersOnScreen is the TUI from its start to every WEC the
// ITS knows on screen as a row, whether connected yet or not. The screen is
// read every 10 ms.
func BenchmarkTUIClustersOnScreen(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	rows := append(s.WECNames(), s.Pending)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 40, bin+" tui --kubeconfig "+s.Kubeconfig)
		for deadline := time.Now().Add(time.Minute); !showsEvery(term.Screen(), rows); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("the WECs %v not all on screen within a minute:\n%s", rows, term.Screen())
			}
		}
		b.StopTimer()
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// showsEvery reports whether screen has a tree row for each cluster: a
// line that starts with its name, after the marker of a row that opens.
func showsEvery(screen string, clusters []string) bool {
	lines := strings.Split(screen, "\n")
	for _, c := range clusters {
		if !slices.ContainsFunc(lines, func(line string) bool {
			return slices.ContainsFunc([]string{"  ", "▸ ", "▾ "}, func(marker string) bool { return strings.HasPrefix(line, marker+c+" ") })
		}) {
			return false
		}
	}
	return true
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
