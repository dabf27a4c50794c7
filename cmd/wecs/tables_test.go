package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// tableRows are the screen's table rows of a cluster, as fields (CLUSTER
// NAMESPACE NAME …).
func tableRows(screen, cluster string) [][]string {
	var out [][]string
	for _, line := range strings.Split(screen, "\n") {
		if f := strings.Fields(line); len(f) > 3 && f[0] == cluster {
			out = append(out, f)
		}
	}
	return out
}

// podsUnmet is "" when the screen's pod rows of every WEC are the pods
// kubectl lists there (kubectlPods), with the same READY, STATUS and
// RESTARTS count, as kubectl listed them just before or just after the
// screen was taken (crash-looping pods change every few seconds).
func podsUnmet(screen string, clusters []string, before, after map[string]podLine) string {
	shown := map[string]podLine{}
	for _, c := range clusters {
		for _, f := range tableRows(screen, c) {
			shown[c+"/"+f[1]+"/"+f[2]] = podLine{ready: f[3], status: f[4], restarts: f[5]}
		}
	}
	if len(shown) != len(after) {
		return fmt.Sprintf("%d pod rows on screen, kubectl lists %d", len(shown), len(after))
	}
	count := func(p podLine) podLine {
		p.restarts, _, _ = strings.Cut(p.restarts, " ")
		return p
	}
	for pod, want := range after {
		if got := shown[pod]; got != count(want) && got != count(before[pod]) {
			return fmt.Sprintf("%s shows %+v, kubectl %+v", pod, got, count(want))
		}
	}
	return ""
}

// restartsSorted is "" when the RESTARTS column (field 5) of every row on
// screen goes in the order asked.
func restartsSorted(screen string, descending bool) string {
	var counts []int
	for _, line := range strings.Split(screen, "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && strings.HasPrefix(f[0], "cluster") {
			n, err := strconv.Atoi(f[5])
			if err != nil {
				return "a row's RESTARTS is not a number: " + line
			}
			counts = append(counts, n)
		}
	}
	for i := 1; i < len(counts); i++ {
		if (counts[i] < counts[i-1]) != descending && counts[i] != counts[i-1] {
			return fmt.Sprintf("RESTARTS in the order %v (descending %v)", counts, descending)
		}
	}
	if len(counts) == 0 {
		return "no rows"
	}
	return ""
}

// TestTUIFleetTablesMatchKubectlSortAndAct: :pods lists every WEC's pods
// with kubectl's columns and values, T sorts by RESTARTS both ways, l
// opens a row's logs, esc goes back to the tree at that pod, and
// :widgets shows the custom resource's printer columns.
func TestTUIFleetTablesMatchKubectlSortAndAct(t *testing.T) {
	s := sandboxtest.Shared(t)
	term := tmuxtest.Start(t, 200, 100, buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected", "cluster2 Active ● Connected", "cluster3 Active ● Connected")

	term.Keys(":", "system", "Enter") // kubectl -A lists the system namespaces too
	term.Keys(":", "pods", "Enter")
	term.WaitFor(30*time.Second, "Pod · ", "CLUSTER", "NAMESPACE", "READY", "STATUS", "RESTARTS", "AGE")
	before := kubectlPods(t, s)
	term.WaitUntil(90*time.Second, func(screen string) string {
		after := kubectlPods(t, s)
		defer func() { before = after }()
		return podsUnmet(screen, s.WECNames(), before, after)
	})

	term.Keys("T")
	term.WaitFor(10*time.Second, "RESTARTS↑")
	term.WaitUntil(10*time.Second, func(screen string) string { return restartsSorted(screen, false) })
	term.Keys("T")
	term.WaitFor(10*time.Second, "RESTARTS↓")
	term.WaitUntil(10*time.Second, func(screen string) string { return restartsSorted(screen, true) })

	// l on cluster1's logging pod (sorted by cluster, the first row): its
	// Logs tab, following.
	term.Keys("/", sandbox.LoggingPod, "Enter")
	term.WaitFor(10*time.Second, "/"+sandbox.LoggingPod+" (")
	term.Keys("C", "g")
	term.WaitFor(10*time.Second, "CLUSTER↑")
	term.WaitUntil(10*time.Second, func(screen string) string {
		if rows := tableRows(screen, "cluster1"); len(rows) != 1 || rows[0][2] != sandbox.LoggingPod {
			return fmt.Sprintf("the search shows %v of cluster1", rows)
		}
		return ""
	})
	term.Keys("l")
	term.WaitFor(20*time.Second, "[Logs]", "Pod "+sandbox.LoggingPod+" on cluster1")
	term.WaitFor(20*time.Second, "following")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "/"+sandbox.LoggingPod+" (", "sorted by CLUSTER↑")
	term.Keys("Escape") // drops the search
	term.WaitGone(10*time.Second, "/"+sandbox.LoggingPod+" (")
	term.Keys("Escape")
	term.WaitFor(10*time.Second, "cluster1 › shop › Pod "+sandbox.LoggingPod)

	term.Keys(":", "widgets", "Enter")
	term.WaitFor(30*time.Second, "Widget · ", "CLUSTER", "NAMESPACE", "NAME", "COLOUR", "SIZE", "AGE")
	term.WaitUntil(10*time.Second, func(screen string) string {
		for _, c := range s.WECNames() {
			for _, want := range [][]string{{"shop", "blue", "blue", "1"}, {"shop", "green", "green", "2"}} {
				if unmet := rowUnmetIn(screen, c, want); unmet != "" {
					return unmet
				}
			}
		}
		return ""
	})
	term.Keys("Escape")
	term.WaitGone(10*time.Second, "Widget · ")

	// A kind no WEC serves: back on the tree, told so.
	term.Keys(":", "foobar", "Enter")
	term.WaitFor(30*time.Second, `unknown command or kind "foobar": no WEC serves it`)
	quitFromTheTree(term)
}

// rowUnmetIn is "" when a table row of cluster has want after its CLUSTER.
func rowUnmetIn(screen, cluster string, want []string) string {
	for _, f := range tableRows(screen, cluster) {
		if len(f) > len(want) && strings.Join(f[1:len(want)+1], " ") == strings.Join(want, " ") {
			return ""
		}
	}
	return fmt.Sprintf("no row %s %v", cluster, want)
}
