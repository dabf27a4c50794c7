package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/status"
)

// keyUniverse is every key a probe presses: printable characters, the
// named keys and the ctrl letters.
func keyUniverse() []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_=+[]{};:'\",.<>/?\\|`~" {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	for _, code := range []rune{tea.KeyUp, tea.KeyDown, tea.KeyLeft, tea.KeyRight, tea.KeyEnter, tea.KeyEscape, tea.KeyTab,
		tea.KeySpace, tea.KeyBackspace, tea.KeyHome, tea.KeyEnd, tea.KeyPgUp, tea.KeyPgDown, tea.KeyDelete} {
		out = append(out, tea.KeyPressMsg{Code: code})
	}
	out = append(out, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	for r := 'a'; r <= 'z'; r++ {
		out = append(out, tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl})
	}
	return out
}

// modeWalk is every view and mode a user reaches, by the keys that reach it.
var modeWalk = []struct {
	name     string
	readOnly bool
	path     []string
}{
	{"tree on a cluster", false, nil},
	{"tree on a search", false, []string{"/crashy", "enter"}},
	{"pane Summary", false, []string{"/crashy", "enter", "d"}},
	{"pane YAML", false, []string{"/crashy", "enter", "y"}},
	{"pane YAML of a Secret", false, []string{"/db", "enter", "y"}},
	{"pane Events", false, []string{"/crashy", "enter", "v"}},
	{"pane Logs", false, []string{"/crashy", "enter", "L"}},
	{"pane Logs with a search", false, []string{"/crashy", "enter", "L", "/", "slow", "enter"}},
	{"pane Logs of a cluster", false, []string{"4"}},
	{"clusters", false, []string{"C"}},
	{"nodes", false, []string{"U"}},
	{"nodes with pods", false, []string{"U", "enter"}},
	{"health", false, []string{"H"}},
	{"table", false, []string{":pods", "enter"}},
	{"table with a search", false, []string{":pods", "enter", "/", "web", "enter"}},
	{"pane over a table", false, []string{":pods", "enter", "j", "enter"}},
	{"read-only table", true, []string{":pods", "enter"}},
	{"help", false, []string{"?"}},
	{"read-only tree", true, []string{"/web", "enter"}},
	{"read-only clusters", true, []string{"C"}},
}

func walkTo(t *testing.T, readOnly bool, path []string) Model {
	t.Helper()
	m := newModel()
	if readOnly {
		m = New(Config{ITSContext: "its1", ReadOnly: true}, m.fleet, testTree())
	}
	return send(send(m, tea.WindowSizeMsg{Width: 140, Height: 40}), keys(path...)...)
}

// TestEveryModesHelpListsExactlyTheKeysItDispatches walks every view and
// mode. A key that changes the screen or starts something must be in the
// mode's bindings, and "?" must list every one of those bindings.
func TestEveryModesHelpListsExactlyTheKeysItDispatches(t *testing.T) {
	for _, w := range modeWalk {
		t.Run(w.name, func(t *testing.T) {
			m := walkTo(t, w.readOnly, w.path)
			groups := m.groups()
			for _, k := range keyUniverse() {
				before := screen(m)
				next, cmd := m.Update(k)
				acted := cmd != nil || screen(next.(Model)) != before
				if acted && !hasKey(groups, k.String()) {
					t.Errorf("%q acts but no binding of this mode declares it", k.String())
				}
				if acted && m.page().view != nil {
					// The model's copies share the fleet views: start again.
					m = walkTo(t, w.readOnly, w.path)
				}
			}
			if m.top().kind == modeHelp {
				return // the help of the help is the help
			}
			text := helpText(send(walkTo(t, w.readOnly, w.path), keys("?")...))
			for _, g := range groups {
				for _, e := range g.Entries {
					if !strings.Contains(text, fmt.Sprintf("%-12s %s", e.Label, e.Long)) {
						t.Errorf("the help lacks %q %q:\n%s", e.Label, e.Long, text)
					}
				}
			}
		})
	}
}

// TestEveryDisabledKeySaysWhy presses every binding that is disabled in
// some mode and checks that the status line gives its reason.
func TestEveryDisabledKeySaysWhy(t *testing.T) {
	var pressed []string
	for _, w := range modeWalk {
		m := walkTo(t, w.readOnly, w.path)
		for _, g := range m.groups() {
			for _, e := range g.Entries {
				if e.Disabled == "" || len(e.Keys) == 0 {
					continue
				}
				key := keys(e.Keys[0])
				if len(key) != 1 {
					key = []tea.Msg{namedKey(e.Keys[0])}
				}
				next, cmd := m.Update(key[0])
				msgs := run(cmd)
				if len(msgs) != 1 || msgs[0] != (status.Msg{Kind: status.KindProblem, Text: e.Disabled}) {
					t.Errorf("%s: %s is disabled (%q) but said %v", w.name, e.Keys[0], e.Disabled, msgs)
					continue
				}
				if footer := lastLine(screen(send(next.(Model), msgs...))); !strings.HasPrefix(e.Disabled, strings.TrimSuffix(footer, "…")) {
					t.Errorf("%s: %s: the footer says %q, not %q", w.name, e.Keys[0], footer, e.Disabled)
				}
				pressed = append(pressed, w.name+": "+e.Keys[0])
			}
		}
	}
	// The walk reaches a disabled key of the tree, the pane, the logs
	// and the clusters view at least.
	for _, want := range []string{"tree on a cluster: e", "pane Logs of a cluster: f", "read-only tree: ctrl+d", "read-only clusters: a"} {
		if !slices.Contains(pressed, want) {
			t.Errorf("the walk pressed no %q; it pressed %v", want, pressed)
		}
	}
}

// namedKey is the key press of a name such as "ctrl+d".
func namedKey(name string) tea.KeyPressMsg {
	for _, k := range keyUniverse() {
		if k.String() == name {
			return k
		}
	}
	panic("no key " + name)
}

func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

// TestKeysReadTheirDeclarations: the footer's words are the bindings'.
func TestFooterIsTheBindingsShortHelp(t *testing.T) {
	m := walkTo(t, false, []string{"C"})
	var shorts []string
	for _, g := range m.groups() {
		for _, e := range g.Entries {
			if e.Short != "" {
				shorts = append(shorts, e.Short)
			}
		}
	}
	footer := lastLine(screen(m))
	for _, s := range keymap.Footer(m.groups(), "esc", "down", "a", "?") {
		if !strings.Contains(footer, s) || !slices.Contains(shorts, s) {
			t.Errorf("footer %q lacks %q of %v", footer, s, shorts)
		}
	}
}
