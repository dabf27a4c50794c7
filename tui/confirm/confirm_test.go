package confirm

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

type ran struct{}

func act() tea.Msg { return ran{} }

func press(m Model, keys ...string) (tea.Cmd, bool) {
	var action tea.Cmd
	var done bool
	for _, k := range keys {
		key := tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		switch k {
		case "enter":
			key = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			key = tea.KeyPressMsg{Code: tea.KeyEscape}
		}
		m, action, done = m.Update(key)
		if done {
			return action, done
		}
	}
	return action, done
}

func TestYesNo(t *testing.T) {
	if a, done := press(Ask("delete?", act), "y"); !done || a == nil {
		t.Error("y does not confirm")
	}
	if a, done := press(Ask("delete?", act), "n"); !done || a != nil {
		t.Error("n does not decline")
	}
	if a, done := press(Ask("delete?", act), "x", "esc"); !done || a != nil {
		t.Error("esc does not decline")
	}
}

func TestTypedWordMustMatch(t *testing.T) {
	if a, done := press(AskTyped("delete namespace shop?", "shop", act), "s", "h", "o", "p", "enter"); !done || a == nil {
		t.Error("typing the word does not confirm")
	}
	if a, done := press(AskTyped("delete namespace shop?", "shop", act), "y", "enter"); !done || a != nil {
		t.Error("y confirms a typed question")
	}
}

func TestTypedWordCanBePasted(t *testing.T) {
	m, _, _ := AskTyped("delete namespace shop?", "shop", act).Update(tea.PasteMsg{Content: "shop"})
	if a, done := press(m, "enter"); !done || a == nil {
		t.Error("a pasted word does not confirm")
	}
	m, _, _ = Ask("delete?", act).Update(tea.PasteMsg{Content: "y"})
	if a, done := press(m, "enter"); !done || a == nil {
		t.Error("a paste into a yes/no question changed it")
	}
}
