package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/pflag"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// BenchmarkHubWECsClustersKeyPress is one key press in the clusters view
// (cursor down or up: the table moves, the details show the new row) and
// the redraw, with the 1,000 simulated hub WECs of a real ITS in the table.
func BenchmarkHubWECsClustersKeyPress(b *testing.B) {
	s := sandboxtest.HubWECs(b, 1000)
	f := hubWECFleet(b, s)
	next, _ := New(Config{ITSContext: "its1"}, f, f.Tree).Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	next, _ = next.(Model).Update(tea.KeyPressMsg{Code: 'C', Text: "C"})
	m := next.(Model)
	if !strings.Contains(screen(m), sandbox.HubWECName(1)) {
		b.Fatalf("the clusters view does not show %s:\n%s", sandbox.HubWECName(1), screen(m))
	}
	pressDownAndUp(b, m)
}

// hubWECFleet is a fleet of the sandbox's ITS with every cluster listed
// and every reachable WEC connected or failed once.
func hubWECFleet(b *testing.B, s *sandbox.State) *kube.Fleet {
	flags := kube.NewFlags()
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	flags.AddFlags(fs)
	if err := fs.Parse([]string{"--kubeconfig", s.Kubeconfig}); err != nil {
		b.Fatal(err)
	}
	kc, err := flags.LoadKubeconfig()
	if err != nil {
		b.Fatal(err)
	}
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{})
	if err := f.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	total := len(s.WECNames()) + 1 + s.HubWECs
	for deadline := time.Now().Add(time.Minute); len(f.Members()) < total; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d clusters in the fleet after a minute", len(f.Members()), total)
		}
	}
	// The reachable WECs' first lists done, the key presses have the CPU.
	f.WaitSettled(b.Context())
	return f
}
