package keymap

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/tui/status"
)

type counter struct {
	n      int
	locked bool
	hidden bool
}

func testMap() Map[counter] {
	return Map[counter]{Title: "Counter", Bindings: []Binding[counter]{
		{Keys: []string{"+"}, Label: "+ -", Short: "+ more", Long: "count up or down", Run: func(c *counter, _ tea.KeyPressMsg) tea.Cmd { c.n++; return nil }},
		{Keys: []string{"-"}, Label: "+ -", Long: "count up or down", Run: func(c *counter, _ tea.KeyPressMsg) tea.Cmd { c.n--; return nil }},
		{Keys: []string{"0"}, Long: "reset", Disabled: func(c *counter) string {
			if c.locked {
				return "reset: the counter is locked"
			}
			return ""
		}, Run: func(c *counter, _ tea.KeyPressMsg) tea.Cmd { c.n = 0; return nil }},
		{Keys: []string{"h"}, Long: "hidden", Active: func(c *counter) bool { return !c.hidden }, Run: func(c *counter, _ tea.KeyPressMsg) tea.Cmd { c.n = 100; return nil }},
	}}
}

func press(k string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: rune(k[0]), Text: k} }

func TestDispatchRunsActsOrSaysWhyNot(t *testing.T) {
	km, c := testMap(), &counter{}
	if _, ok := km.Dispatch(c, press("+")); !ok || c.n != 1 {
		t.Fatalf("+ gave %d (handled %v)", c.n, ok)
	}
	c.locked = true
	cmd, ok := km.Dispatch(c, press("0"))
	if !ok || c.n != 1 || cmd == nil || cmd() != (status.Msg{Kind: status.KindProblem, Text: "reset: the counter is locked"}) {
		t.Fatalf("a disabled key ran or said nothing: n %d, handled %v", c.n, ok)
	}
	c.hidden = true
	if _, ok := km.Dispatch(c, press("h")); ok || c.n != 1 {
		t.Fatalf("an inactive binding was dispatched: n %d", c.n)
	}
	if _, ok := km.Dispatch(c, press("x")); ok {
		t.Fatal("an undeclared key was handled")
	}
}

func TestDescribeJoinsPairsAndLeavesOutInactiveBindings(t *testing.T) {
	c := &counter{locked: true, hidden: true}
	g := testMap().Describe(c)
	if len(g.Entries) != 2 {
		t.Fatalf("entries %+v, want the +/- pair and reset", g.Entries)
	}
	if e := g.Entries[0]; e.Label != "+ -" || len(e.Keys) != 2 || e.Short != "+ more" {
		t.Errorf("pair %+v", e)
	}
	if e := g.Entries[1]; e.Label != "0" || e.Disabled != "reset: the counter is locked" {
		t.Errorf("reset %+v", e)
	}
	if got := Footer([]Group{g}, "0", "-"); len(got) != 1 || got[0] != "+ more" {
		t.Errorf("footer %q", got)
	}
}
