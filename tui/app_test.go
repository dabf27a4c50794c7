package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestQuitKeys(t *testing.T) {
	for _, key := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, {Code: 'c', Mod: tea.ModCtrl}} {
		_, cmd := New(Config{ITSContext: "its1"}).Update(key)
		if cmd == nil {
			t.Fatalf("%s: no command", key)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", key)
		}
	}
	if _, cmd := New(Config{}).Update(tea.KeyPressMsg{Code: 'x', Text: "x"}); cmd != nil {
		t.Error("x does something")
	}
}

func TestViewShowsContextAndFitsTheWindow(t *testing.T) {
	m, _ := New(Config{ITSContext: "its1", Kubeconfig: "/home/me/.kube/config"}).Update(tea.WindowSizeMsg{Width: 30, Height: 4})
	v := m.View()
	if !v.AltScreen {
		t.Error("not on the alternate screen")
	}
	lines := strings.Split(v.Content, "\n")
	if len(lines) > 4 {
		t.Errorf("%d lines in a 4-line window", len(lines))
	}
	if !strings.Contains(v.Content, "its1") {
		t.Errorf("view does not show the ITS context:\n%s", v.Content)
	}
	if v.MouseMode != tea.MouseModeNone {
		t.Error("mouse on by default")
	}
}
