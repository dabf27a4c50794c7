package logview

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/status"
)

// TestPreviousRunEndsWithEndOfLog: a log that ends says so below its last
// line, not above the first.
func TestPreviousRunEndsWithEndOfLog(t *testing.T) {
	m := followed(100)
	m.SetSize(80, 10)
	m.Update(linesMsg{seq: m.seq, lines: batch(3, 0), closed: true})
	rows := strings.Split(ansi.Strip(m.View()), "\n")
	if len(rows) != 4 || !strings.Contains(rows[0], `"order":0`) || !strings.Contains(rows[2], "/api/orders/2 ") || rows[3] != "── end of log ──" {
		t.Errorf("want the three lines, then end of log:\n%s", strings.Join(rows, "\n"))
	}
}

// TestSavedAllClustersLogIsNamedForItsClusters: with a, the file names
// every cluster it holds lines from, not only the first.
func TestSavedAllClustersLogIsNamedForItsClusters(t *testing.T) {
	m := followed(100)
	m.SaveDir = t.TempDir()
	m.elsewhere, m.allClusters = []string{"cluster3"}, true
	m.Update(linesMsg{seq: m.seq, lines: batch(3, 0)})
	msg, ok := m.save()().(savedMsg)
	if !ok || msg.err != nil {
		t.Fatalf("save: %#v", msg)
	}
	if name := filepath.Base(msg.path); !strings.HasPrefix(name, "cluster1+cluster3_shop_web_") {
		t.Errorf("saved as %s", name)
	}
}

// TestKeysWithoutAnObjectSayThereAreNoPods: on a row that runs no pods
// (a cluster, a namespace, a Service) the keys explain instead of
// reaching for an object that is not there.
func TestKeysWithoutAnObjectSayThereAreNoPods(t *testing.T) {
	m := New(nil, theme.For(true), 100)
	for _, k := range []string{"a", "c", "t", "p", "s", "f", "j"} {
		cmd := m.Update(keyPress(k))
		if cmd == nil {
			t.Fatalf("%s said nothing", k)
		}
		if msg, ok := cmd().(status.Msg); !ok || msg.Kind != status.KindProblem || !strings.Contains(msg.Text, "no pods") {
			t.Errorf("%s: %#v, want the reason there are no pods", k, msg)
		}
	}
}
