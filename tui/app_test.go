package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/kube"
)

type fakeFleet struct {
	members     []kube.Member
	changed     chan struct{}
	reconnected *[]string
}

func (f fakeFleet) Members() []kube.Member   { return f.members }
func (f fakeFleet) Changed() <-chan struct{} { return f.changed }
func (f fakeFleet) Reconnect(cluster string) error {
	if cluster == "cluster2" {
		return errors.New(`cluster "cluster2" has no connection to renew`)
	}
	*f.reconnected = append(*f.reconnected, cluster)
	return nil
}

func newModel() Model {
	f := fakeFleet{changed: make(chan struct{}, 1), reconnected: new([]string), members: []kube.Member{
		{ClusterInfo: kube.ClusterInfo{Name: "cluster1", Health: kube.HealthActive}, Connection: kube.Connection{State: kube.Connected}},
		{ClusterInfo: kube.ClusterInfo{Name: "cluster2", Health: kube.HealthInactive}, Connection: kube.Connection{State: kube.Connecting}},
	}}
	return New(Config{ITSContext: "its1"}, f, kube.NewTree())
}

func TestQuitKeys(t *testing.T) {
	for _, key := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, {Code: 'c', Mod: tea.ModCtrl}} {
		_, cmd := newModel().Update(key)
		if cmd == nil {
			t.Fatalf("%s: no command", key)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", key)
		}
	}
}

func TestViewShowsHeaderTreeAndFooterWithinTheWindow(t *testing.T) {
	m, _ := newModel().Update(tea.WindowSizeMsg{Width: 80, Height: 8})
	v := m.View()
	if !v.AltScreen || v.MouseMode != tea.MouseModeNone {
		t.Error("want the alternate screen and no mouse by default")
	}
	plain := ansi.Strip(v.Content)
	lines := strings.Split(plain, "\n")
	if len(lines) != 8 {
		t.Errorf("%d lines in an 8-line window:\n%s", len(lines), v.Content)
	}
	for _, want := range []string{"ITS its1", "1/2 WECs connected", "cluster1", "◌ Connecting", "q quit"} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks %q:\n%s", want, plain)
		}
	}
}

func TestChangesAreCoalescedIntoOneRedraw(t *testing.T) {
	m := newModel()
	f := m.fleet.(fakeFleet)
	cmd := m.waitForChange()
	f.changed <- struct{}{}
	if _, ok := cmd().(changedMsg); !ok {
		t.Fatal("a change did not produce a redraw message")
	}
	// The redraw took the pending change, so the one-slot channel has room.
	select {
	case f.changed <- struct{}{}:
	default:
		t.Fatal("channel still full after the redraw took the change")
	}
}

func TestReconnectKeyActsOnTheSelectedCluster(t *testing.T) {
	m := newModel()
	f := m.fleet.(fakeFleet)
	next, _ := m.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	m = next.(Model)
	if !slices.Equal(*f.reconnected, []string{"cluster1"}) || !strings.Contains(m.tree.Note, "reconnecting to cluster1") {
		t.Fatalf("reconnected %v, note %q", *f.reconnected, m.tree.Note)
	}
	next, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	next, _ = next.(Model).Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	if note := next.(Model).tree.Note; !strings.Contains(note, "no connection to renew") {
		t.Fatalf("an error is not shown: %q", note)
	}
}
