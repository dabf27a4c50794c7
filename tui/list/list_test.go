package list

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
	}
}

func TestCursorStaysInTheWindowAndTheRows(t *testing.T) {
	var m Model
	m.SetHeight(3)
	m.SetLen(10)
	press(&m, "j", "j", "j", "j")
	if start, end := m.Window(); m.Cursor() != 4 || start != 2 || end != 5 {
		t.Errorf("cursor %d window %d-%d", m.Cursor(), start, end)
	}
	press(&m, "G")
	if start, end := m.Window(); m.Cursor() != 9 || start != 7 || end != 10 {
		t.Errorf("end: cursor %d window %d-%d", m.Cursor(), start, end)
	}
	m.SetLen(2)
	if start, end := m.Window(); m.Cursor() != 1 || start != 0 || end != 2 {
		t.Errorf("shrunk: cursor %d window %d-%d", m.Cursor(), start, end)
	}
	if m.Update(tea.KeyPressMsg{Code: 'x', Text: "x"}) {
		t.Error("x is not a movement key")
	}
}
