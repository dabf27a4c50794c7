package command

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestCompleteExtendsTheLastWord(t *testing.T) {
	words := []string{"shop", "Shipping", "batch", "shop"}
	for input, want := range map[string][]string{
		"ns sh": {"ns Shipping", "ns shop"},
		"ns b":  {"ns batch"},
		"ns x":  nil,
		"sh":    {"Shipping", "shop"},
	} {
		if got := Complete(input, words); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Complete(%q) = %q, want %q", input, got, want)
		}
	}
}

func TestTabCyclesAndEnterSubmits(t *testing.T) {
	m := New(func(in string) []string { return Complete(in, []string{"deploy", "ds", "default"}) })
	press := func(k tea.KeyPressMsg) (string, bool) {
		var line string
		var done bool
		m, line, done = m.Update(k)
		return line, done
	}
	press(tea.KeyPressMsg{Code: 'd', Text: "d"})
	if s := m.Suggestion(); s != "efault" {
		t.Errorf("suggestion %q", s)
	}
	press(tea.KeyPressMsg{Code: tea.KeyTab})
	first := m.Input()
	press(tea.KeyPressMsg{Code: tea.KeyTab})
	if first != "default" || m.Input() != "deploy" {
		t.Errorf("tab cycle: %q then %q", first, m.Input())
	}
	press(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if line, done := press(tea.KeyPressMsg{Code: tea.KeyEnter}); !done || line != "deplo" {
		t.Errorf("enter gave %q, done %v", line, done)
	}
	if line, done := press(tea.KeyPressMsg{Code: tea.KeyEscape}); !done || line != "" {
		t.Errorf("esc gave %q, done %v", line, done)
	}
}

func TestPasteAndCursorKeysEditTheLine(t *testing.T) {
	m := New(func(in string) []string { return Complete(in, []string{"shop"}) })
	m, _, _ = m.Update(tea.PasteMsg{Content: "ns sp"})
	m, _, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	if m.Suggestion() != "" {
		t.Errorf("a suggestion shows with the cursor inside the line: %q", m.Suggestion())
	}
	m, _, _ = m.Update(tea.KeyPressMsg{Code: 'h', Text: "h"})
	m, _, _ = m.Update(tea.KeyPressMsg{Code: 'o', Text: "o"})
	if m.Input() != "ns shop" {
		t.Fatalf("paste then ← and typing: %q", m.Input())
	}
	if _, line, done := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); !done || line != "ns shop" {
		t.Errorf("enter gave %q, done %v", line, done)
	}
}
