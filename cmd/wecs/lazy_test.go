package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
	"github.com/wecs-tui/wecs/kube"
)

// TestTUIConnectsLazily opens the TUI with --connect lazy: every WEC is
// Idle, listing what the ITS's ManifestWorks delivered to it (+ opens them
// without connecting), until its row is opened, which connects that WEC
// alone; its pods, filtered to it, then count as kubectl lists them.
func TestTUIConnectsLazily(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 160, 50, "KUBECONFIG="+s.Kubeconfig+" "+buildWecs(t)+" tui --connect lazy --kubeconfig "+s.Kubeconfig)
	wecs := s.WECNames()
	// idle says which WECs' rows read Idle (◌; the tree beside the details
	// pane cuts the rest of a long row).
	idleRow := regexp.MustCompile(`(\S+) Active [^│\n]*◌`)
	idle := func(screen string) []string {
		var names []string
		for _, m := range idleRow.FindAllStringSubmatch(screen, -1) {
			names = append(names, m[1])
		}
		return names
	}
	term.WaitUntil(60*time.Second, func(screen string) string {
		delivered := strings.Count(screen, " delivered, from the ITS ◌")
		if got := idle(screen); !slices.Equal(got, wecs) || delivered != len(wecs) || !strings.Contains(screen, "0/") {
			return fmt.Sprintf("Idle WECs %v, want %v, %d of them listing what the ITS delivered", got, wecs, delivered)
		}
		return ""
	})
	deliveredWeb := regexp.MustCompile(`web [^│\n]*⇣ delivered, from the ITS`)
	term.Keys("+")
	term.WaitUntil(10*time.Second, func(screen string) string {
		if !deliveredWeb.MatchString(screen) {
			return "+ shows no web Deployment delivered from the ITS"
		}
		return ""
	})
	term.Keys("-")
	term.WaitUntil(10*time.Second, func(screen string) string {
		if deliveredWeb.MatchString(screen) || !slices.Equal(idle(screen), wecs) {
			return "- left objects open, or connected a WEC"
		}
		return ""
	})

	// The tree starts on the first WEC: opening it connects it alone.
	term.Keys("Enter")
	term.WaitFor(60*time.Second, wecs[0]+" Active ● Connected", fmt.Sprintf("1/%d WECs connected", len(wecs)+1))
	if screen := term.Screen(); !slices.Equal(idle(screen), wecs[1:]) {
		t.Fatalf("opening %s connected others too:\n%s", wecs[0], screen)
	}

	// Filtered to the first WEC's pods, its row counts what kubectl lists
	// outside the system namespaces (pods come and go: compared until equal).
	term.Keys(":", "cluster "+wecs[0], "Enter")
	term.WaitFor(10*time.Second, "cluster="+wecs[0])
	term.Keys(":", "kind pod", "Enter")
	term.WaitFor(10*time.Second, "kind=Pod")
	row := regexp.MustCompile(regexp.QuoteMeta(wecs[0]) + ` Active ● Connected (\d+)`)
	term.WaitUntil(60*time.Second, func(screen string) string {
		m := row.FindStringSubmatch(screen)
		if m == nil {
			return "no count on " + wecs[0] + "'s row"
		}
		want := 0
		for _, line := range kubectlLines(t, s, wecs[0], "get", "pods", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace") {
			if !kube.SystemNamespace(line) {
				want++
			}
		}
		if m[1] != fmt.Sprint(want) {
			return fmt.Sprintf("%s's row counts %s pods, kubectl lists %d", wecs[0], m[1], want)
		}
		return ""
	})
	if screen := term.Screen(); !slices.Equal(idle(screen), wecs[1:]) {
		t.Fatalf("a filter on %s connected others too:\n%s", wecs[0], screen)
	}
	quitFromTheTree(term)
}
