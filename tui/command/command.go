// Package command is the ":" command line: typing with completion from a
// list of candidates, as k9s's command prompt.
package command

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/input"
)

// Model is the command line while it is open.
type Model struct {
	line input.Model
	// candidates completes the current input: full lines that extend it.
	candidates func(input string) []string
	// cycle is the completion list being cycled with tab, and where.
	cycle []string
	at    int
}

// New opens a command line completed by candidates.
func New(candidates func(input string) []string) Model {
	return Model{line: input.New(), candidates: candidates}
}

// Input is the text typed so far.
func (m Model) Input() string { return m.line.Value() }

// Update handles a key or a paste; it returns the line once enter submits
// it, and done when the line closes (submitted or dropped with esc).
func (m Model) Update(msg tea.Msg) (next Model, submitted string, done bool) {
	if key, ok := msg.(tea.KeyPressMsg); ok {
		switch key.String() {
		case "enter":
			return m, strings.TrimSpace(m.Input()), true
		case "esc", "ctrl+c":
			return m, "", true
		case "tab":
			m.complete(1)
			return m, "", false
		case "shift+tab":
			m.complete(-1)
			return m, "", false
		}
	}
	var changed bool
	if m.line, changed = m.line.Update(msg); changed {
		m.cycle = nil
	}
	return m, "", false
}

// complete replaces the input with the next (or previous) candidate.
func (m *Model) complete(dir int) {
	if m.cycle == nil {
		m.cycle = m.candidates(m.Input())
		m.at = -1
		if dir < 0 {
			m.at = 0
		}
	}
	if len(m.cycle) == 0 {
		return
	}
	m.at = ((m.at+dir)%len(m.cycle) + len(m.cycle)) % len(m.cycle)
	m.line.SetValue(m.cycle[m.at])
}

// Suggestion is the first candidate for the input, shown dimmed after it
// while the cursor is at the end.
func (m Model) Suggestion() string {
	if m.cycle != nil || m.Input() == "" || !m.line.AtEnd() {
		return ""
	}
	if c := m.candidates(m.Input()); len(c) > 0 {
		return strings.TrimPrefix(c[0], m.Input())
	}
	return ""
}

// View draws the line with its suggestion.
func (m Model) View(s theme.Styles) string {
	return s.Key.Render(":") + m.line.View() + s.Muted.Render(m.Suggestion()) + s.Muted.Render("   tab completes · enter runs · esc cancels")
}

// Complete lists the words that extend the last word of input, as full
// lines: for "ns sh" and words ["shop", "batch"], ["ns shop"]. Words are
// matched ignoring case, sorted, without duplicates.
func Complete(input string, words []string) []string {
	head, last := "", input
	if i := strings.LastIndex(input, " "); i >= 0 {
		head, last = input[:i+1], input[i+1:]
	}
	var out []string
	for _, w := range words {
		if strings.HasPrefix(strings.ToLower(w), strings.ToLower(last)) && w != last {
			out = append(out, head+w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
