package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// rowOrder is the order in which names appear on the screen.
func rowOrder(plain string, names ...string) []string {
	type at struct {
		name string
		pos  int
	}
	var found []at
	for _, n := range names {
		if i := strings.Index(plain, n+" "); i >= 0 {
			found = append(found, at{n, i})
		}
	}
	var out []string
	for len(found) > 0 {
		first := 0
		for i, f := range found {
			if f.pos < found[first].pos {
				first = i
			}
		}
		out = append(out, found[first].name)
		found = append(found[:first], found[first+1:]...)
	}
	return out
}

// TestATableActsOnItsRowAndEscReturnsToTheTree: :pods opens the table,
// T sorts by restarts, ctrl+d and l act on the selected row, esc goes
// back to the tree at the same pod, and :kind still filters the tree.
func TestATableActsOnItsRowAndEscReturnsToTheTree(t *testing.T) {
	m := send(sized(140, 30), keys(":pods", "enter")...)
	plain := screen(m)
	for _, want := range []string{"Pod · 3 of 3", "CLUSTER", "RESTARTS", "NODE", "web-7d4b9-a", "crashy"} {
		if !strings.Contains(plain, want) {
			t.Fatalf(":pods lacks %q:\n%s", want, plain)
		}
	}
	pods := []string{"crashy", "web-7d4b9-a", "web-7d4b9-b"}
	before := rowOrder(plain, pods...)
	m = send(m, keys("T")...)
	// The fake's restarts fall by 3 from the first row on: sorted up, the order reverses.
	if got := rowOrder(screen(m), pods...); fmt.Sprint(got) != fmt.Sprint([]string{before[2], before[1], before[0]}) {
		t.Errorf("sorted by RESTARTS: %v (before %v)\n%s", got, before, screen(m))
	}
	m = send(m, keys("g", "/", "web-7d4b9-b", "enter")...)
	if plain := screen(m); strings.Contains(plain, "crashy") || !strings.Contains(plain, "/web-7d4b9-b (1 rows)") {
		t.Fatalf("/ does not filter the rows:\n%s", plain)
	}
	// s and shift-f reach into the row's pod.
	for _, key := range []string{"s", "F"} {
		if plain := screen(send(m, keys(key)...)); !strings.Contains(plain, "web-7d4b9-b on cluster1: no pods to reach in a unit test") {
			t.Errorf("%s on a table's pod:\n%s", key, plain)
		}
	}
	m = send(m, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if !strings.Contains(screen(m), "delete Pod shop/web-7d4b9-b on cluster1? y/n") {
		t.Fatalf("ctrl+d does not ask to delete the row:\n%s", screen(m))
	}
	m = send(m, keys("n", "l")...)
	if plain := screen(m); !strings.Contains(plain, "[Logs]") || !strings.Contains(plain, "web-7d4b9-b") {
		t.Fatalf("l does not open the row's logs:\n%s", plain)
	}
	m = send(m, keys("esc")...)
	if plain := screen(m); !strings.Contains(plain, "Pod · 1 of 3") {
		t.Fatalf("esc from the pane is not back to the table:\n%s", plain)
	}
	m = send(m, keys("esc", "esc")...)
	if plain := screen(m); !strings.Contains(plain, "cluster1 › shop › Deployment web › ReplicaSet web-7d4b9 › Pod web-7d4b9-b") {
		t.Fatalf("esc is not back to the tree at the pod:\n%s", plain)
	}
	m = send(m, keys(":kind svc", "enter")...)
	if plain := screen(m); !strings.Contains(plain, "filter: kind=Service") {
		t.Errorf(":kind svc does not filter the tree:\n%s", plain)
	}
}

// TestANarrowTableKeepsNameClusterStatusAndAge: at 80 columns the wide
// columns go and the essential ones stay.
func TestANarrowTableKeepsNameClusterStatusAndAge(t *testing.T) {
	plain := screen(send(sized(80, 24), keys(":pods", "enter")...))
	for _, want := range []string{"CLUSTER", "NAME", "STATUS", "AGE"} {
		if !strings.Contains(plain, want) {
			t.Errorf("lacks %s at 80 columns:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "NODE") {
		t.Errorf("shows the wide NODE column at 80 columns:\n%s", plain)
	}
}

// TestATableOfAKindNoWECServesSaysSo: :foobar goes back to the tree with
// the reason, and the tree's keys work at once.
func TestATableOfAKindNoWECServesSaysSo(t *testing.T) {
	m := send(sized(140, 30), keys(":foobar", "enter")...)
	plain := screen(m)
	if !strings.Contains(plain, `unknown command or kind "foobar": no WEC serves it`) || strings.Contains(plain, "CLUSTER") {
		t.Fatalf(":foobar did not go back to the tree with the reason:\n%s", plain)
	}
	if m.top().kind != modeTree {
		t.Errorf("mode on top is %v, not the tree", m.top().kind)
	}
}
