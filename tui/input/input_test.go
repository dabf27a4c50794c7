package input

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func press(m Model, keys ...tea.KeyPressMsg) Model {
	for _, k := range keys {
		m, _ = m.Update(k)
	}
	return m
}

func text(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

func TestPasteInsertsAtTheCursor(t *testing.T) {
	m := press(New(), text("app=")...)
	m, changed := m.Update(tea.PasteMsg{Content: "web,tier=db\n"})
	if !changed || m.Value() != "app=web,tier=db" {
		t.Fatalf("after paste %q (changed %v)", m.Value(), changed)
	}
	m = press(m, tea.KeyPressMsg{Code: tea.KeyHome})
	m, _ = m.Update(tea.PasteMsg{Content: "x\ny "})
	if m.Value() != "x y app=web,tier=db" {
		t.Errorf("paste at the start: %q", m.Value())
	}
	if m, changed := m.Update(tea.PasteMsg{}); changed {
		t.Errorf("an empty paste changed %q", m.Value())
	}
}

func TestCursorKeysMoveAndEditInPlace(t *testing.T) {
	m := press(New(), text("shop")...)
	m = press(m, tea.KeyPressMsg{Code: tea.KeyLeft}, tea.KeyPressMsg{Code: tea.KeyLeft})
	if m.AtEnd() {
		t.Fatal("← did not move the cursor")
	}
	m = press(m, text("X")...)
	m = press(m, tea.KeyPressMsg{Code: tea.KeyBackspace}, tea.KeyPressMsg{Code: tea.KeyDelete})
	if m.Value() != "shp" {
		t.Fatalf("edit in place: %q", m.Value())
	}
	m = press(m, tea.KeyPressMsg{Code: tea.KeyEnd})
	if !m.AtEnd() {
		t.Error("end did not move to the end")
	}
	m = press(m, tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if m.Value() != "" {
		t.Errorf("ctrl+w left %q", m.Value())
	}
	m.SetValue("ns shop")
	if !m.AtEnd() || ansi.Strip(m.View()) != "ns shop " {
		t.Errorf("SetValue: %q at end %v", ansi.Strip(m.View()), m.AtEnd())
	}
}
