package list

import "testing"

func TestCursorStaysInTheWindowAndTheRows(t *testing.T) {
	var m Model
	m.SetHeight(3)
	m.SetLen(10)
	m.Move(4)
	if start, end := m.Window(); m.Cursor() != 4 || start != 2 || end != 5 {
		t.Errorf("cursor %d window %d-%d", m.Cursor(), start, end)
	}
	m.Move(100)
	if start, end := m.Window(); m.Cursor() != 9 || start != 7 || end != 10 {
		t.Errorf("end: cursor %d window %d-%d", m.Cursor(), start, end)
	}
	m.SetLen(2)
	if start, end := m.Window(); m.Cursor() != 1 || start != 0 || end != 2 {
		t.Errorf("shrunk: cursor %d window %d-%d", m.Cursor(), start, end)
	}
}
