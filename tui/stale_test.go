package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/theme"
)

// staleModel is the test fleet with cluster2 disconnected after it had
// synced: its objects are kept as last seen.
func staleModel(t *testing.T, width int) (Model, string) {
	t.Helper()
	m := newModel()
	since := now.Add(-10 * time.Minute)
	m.fleet.(fakeFleet).members[1].Connection.StaleSince = since
	m.tree.Rebuild()
	return send(m, tea.WindowSizeMsg{Width: width, Height: 40}), theme.StaleText(since)
}

// TestStaleClusterObjectsAreDimmedAndSaySince: the rows under a cluster
// that lost its connection are dimmed, its row, the Summary and the fleet
// views say since when; the connected cluster's rows are drawn as before.
func TestStaleClusterObjectsAreDimmedAndSaySince(t *testing.T) {
	m, stale := staleModel(t, 160)
	m = send(m, keys("+")...) // open every row
	if s := screen(m); !strings.Contains(s, "○ Disconnected · "+stale+": connection") {
		t.Fatalf("the stale cluster's row does not say %q:\n%s", stale, s)
	}
	faint := 0
	cluster := ""
	for _, line := range strings.Split(m.tree.View(), "\n") {
		plain := ansi.Strip(line)
		if strings.HasPrefix(plain, "▾ cluster") || strings.HasPrefix(plain, "▸ cluster") {
			cluster = strings.Fields(plain)[1]
			continue
		}
		dimmed := strings.HasPrefix(line, "\x1b[2;") || strings.HasPrefix(line, "\x1b[2m")
		switch {
		case cluster == "cluster2" && !dimmed && !strings.HasPrefix(line, "\x1b[7m"):
			t.Errorf("a row of the stale cluster is not dimmed: %q", line)
		case cluster == "cluster1" && dimmed:
			t.Errorf("a row of the connected cluster is dimmed: %q", line)
		case dimmed:
			faint++
		}
	}
	if faint == 0 {
		t.Fatalf("no dimmed row under the stale cluster:\n%s", m.tree.View())
	}
	// The Summary of a kept object says it is stale.
	m = send(m, keys("/web-7d4b9-a", "enter", "n", "enter")...)
	if row, _ := m.tree.Selected(); row.Cluster != "cluster2" {
		t.Fatalf("selected %+v, want cluster2's pod", row)
	}
	if s := screen(m); !strings.Contains(s, stale+": the connection to the cluster is lost") {
		t.Fatalf("the Summary of a stale object does not say so:\n%s", s)
	}
	// The fleet views say it too.
	m = send(m, keys("esc", "esc", ":clusters", "enter")...)
	if s := screen(m); !strings.Contains(s, "Disconnected · "+stale) {
		t.Errorf("clusters view:\n%s", s)
	}
	m = send(m, keys("esc", ":health", "enter")...)
	if s := screen(m); !strings.Contains(s, "cluster2 "+stale) {
		t.Errorf("health view title:\n%s", s)
	}
}

// TestClustersTableScrollsItsColumnsWithNamePinned: at 80 columns the table
// says more columns lie to the right; → shows them, NAME stays, ‹ says
// some lie to the left; ← goes back.
func TestClustersTableScrollsItsColumnsWithNamePinned(t *testing.T) {
	m := send(sized(80, 30), keys(":clusters", "enter")...)
	head := func() string {
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.HasPrefix(l, "NAME") {
				return l
			}
		}
		t.Fatalf("no table head:\n%s", screen(m))
		return ""
	}
	if h := head(); !strings.HasSuffix(strings.TrimSpace(h), "›") || strings.Contains(h, "‹") || strings.Contains(h, "LABELS") {
		t.Fatalf("at 80 columns the head should end in › and hide LABELS: %q", h)
	}
	for range 12 {
		m = send(m, tea.KeyPressMsg{Code: tea.KeyRight})
	}
	h := head()
	if !strings.HasPrefix(h, "NAME↑") || !strings.Contains(h, "‹") || !strings.Contains(h, "LABELS") || strings.Contains(h, "STATUS") || strings.HasSuffix(strings.TrimSpace(h), "›") {
		t.Fatalf("scrolled right: %q", h)
	}
	if s := screen(m); !strings.Contains(s, "cluster2") {
		t.Errorf("NAME column left the screen:\n%s", s)
	}
	for range 12 {
		m = send(m, keys("h")...)
	}
	if h := head(); strings.Contains(h, "‹") || !strings.Contains(h, "STATUS") {
		t.Fatalf("scrolled back: %q", h)
	}
	if s := screen(sized(220, 30)); strings.Contains(s, "›") {
		t.Errorf("a wide terminal shows every column, with no hint:\n%s", s)
	}
	m = send(m, keys("?")...)
	if s := screen(m); !strings.Contains(s, "scroll the columns after NAME") {
		t.Errorf("help lacks the column keys:\n%s", s)
	}
}
