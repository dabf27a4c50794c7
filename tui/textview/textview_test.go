package textview

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func lines(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("line %d", i+1)
	}
	return out
}

func TestScrollKeepsItsPlaceAcrossUpdatesAndStaysInRange(t *testing.T) {
	var m Model
	m.SetSize(20, 5)
	m.SetLines(lines(100))
	m.Move(m.PageSize())
	m.SetLines(lines(100)) // a live update
	if top := strings.Split(m.View(), "\n")[0]; top != "line 5" {
		t.Errorf("after a page down and an update the top is %q", top)
	}
	m.Move(1000)
	if got := strings.Split(m.View(), "\n"); got[len(got)-1] != "line 100" || len(got) != 5 {
		t.Errorf("G shows %q", got)
	}
	m.SetLines(lines(3))
	if got := m.View(); got != "line 1\nline 2\nline 3" {
		t.Errorf("shrunk content: %q", got)
	}
}

func TestSearchHighlightsAndMovesBetweenMatches(t *testing.T) {
	m := Model{Match: lipgloss.NewStyle().Reverse(true), LineNumbers: true}
	m.SetSize(30, 3)
	m.SetLines(lines(50))
	m.Search("LINE 4")
	if st := m.SearchStatus(); st != "/LINE 4 (1 of 11)" {
		t.Fatalf("status %q", st)
	}
	if !strings.Contains(ansi.Strip(m.View()), " 4 line 4") || !strings.Contains(m.View(), "\x1b[7m") {
		t.Errorf("first match not shown highlighted:\n%q", m.View())
	}
	m.NextMatch(-1)
	if st := m.SearchStatus(); st != "/LINE 4 (11 of 11)" || !strings.Contains(ansi.Strip(m.View()), "49 line 49") {
		t.Errorf("previous wraps to the last: %s\n%s", st, m.View())
	}
	m.Search("nothing")
	if st := m.SearchStatus(); st != "/nothing (no match)" {
		t.Errorf("status %q", st)
	}
}
