package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/tui/confirm"
)

// Every input line takes a paste, and the cursor keys edit in place.
func TestEveryInputLineTakesAPaste(t *testing.T) {
	// / searches as the paste arrives.
	m := send(sized(140, 30), keys("/")...)
	m = send(m, tea.PasteMsg{Content: "crashy"})
	if row, _ := m.tree.Selected(); row.Object == nil || row.Object.Name != "crashy" {
		t.Fatalf("pasted search did not find crashy: %+v\n%s", row, screen(m))
	}
	m = send(m, keys("enter")...)
	// : runs the pasted line, edited with the cursor keys.
	m = send(m, keys(":")...)
	m = send(m, tea.PasteMsg{Content: "ns hop"})
	m = send(m, keys("left", "left", "left", "s", "enter")...)
	if f := m.tree.Filter(); f.Namespace != "shop" {
		t.Fatalf(":ns from a paste: namespace %q\n%s", f.Namespace, screen(m))
	}
	m = send(m, keys(":clear", "enter", "/crashy", "enter", "L", "F")...)
	// F filters the log with the pasted pattern.
	m = send(m, tea.PasteMsg{Content: "slow\n"})
	m = send(m, keys("enter")...)
	if plain := screen(m); !strings.Contains(plain, "WARN slow request") || strings.Contains(plain, "INFO starting") {
		t.Fatalf("pasted filter slow:\n%s", plain)
	}
	// A typed confirmation takes the pasted word.
	confirmed := false
	m = send(m, confirm.AskMsg{Question: confirm.AskTyped("delete namespace batch?", "batch", func() tea.Msg { confirmed = true; return nil })})
	m = send(m, tea.PasteMsg{Content: "batch"})
	m = send(m, keys("enter")...)
	if !confirmed {
		t.Fatalf("the pasted word did not confirm:\n%s", screen(m))
	}
}

func TestClusterLabelsTakeAPaste(t *testing.T) {
	labelChanges = nil
	m := send(sized(140, 40), keys(":clusters inactive", "enter", "L")...)
	m = send(m, tea.PasteMsg{Content: "tier=gold"})
	m = send(m, keys("enter")...)
	if len(labelChanges) != 1 || labelChanges[0].Set["tier"] != "gold" {
		t.Fatalf("label changes %v\n%s", labelChanges, screen(m))
	}
}
