// Package command is the ":" command line: typing with completion from a
// list of candidates, as k9s's command prompt.
package command

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/theme"
)

// Model is the command line while it is open.
type Model struct {
	input string
	// candidates completes the current input: full lines that extend it.
	candidates func(input string) []string
	// cycle is the completion list being cycled with tab, and where.
	cycle []string
	at    int
}

// New opens a command line completed by candidates.
func New(candidates func(input string) []string) Model {
	return Model{candidates: candidates}
}

// Input is the text typed so far.
func (m Model) Input() string { return m.input }

// Update handles one key; it returns the line once enter submits it, and
// done when the line closes (submitted or dropped with esc).
func (m Model) Update(key tea.KeyPressMsg) (next Model, submitted string, done bool) {
	switch key.String() {
	case "enter":
		return m, strings.TrimSpace(m.input), true
	case "esc", "ctrl+c":
		return m, "", true
	case "tab":
		m.complete(1)
		return m, "", false
	case "shift+tab":
		m.complete(-1)
		return m, "", false
	case "backspace":
		if m.input != "" {
			r := []rune(m.input)
			m.input = string(r[:len(r)-1])
		}
	case "ctrl+u":
		m.input = ""
	default:
		if key.Text == "" {
			return m, "", false
		}
		m.input += key.Text
	}
	m.cycle = nil
	return m, "", false
}

// complete replaces the input with the next (or previous) candidate.
func (m *Model) complete(dir int) {
	if m.cycle == nil {
		m.cycle = m.candidates(m.input)
		m.at = -1
		if dir < 0 {
			m.at = 0
		}
	}
	if len(m.cycle) == 0 {
		return
	}
	m.at = ((m.at+dir)%len(m.cycle) + len(m.cycle)) % len(m.cycle)
	m.input = m.cycle[m.at]
}

// Suggestion is the first candidate for the input, shown dimmed after it.
func (m Model) Suggestion() string {
	if m.cycle != nil || m.input == "" {
		return ""
	}
	if c := m.candidates(m.input); len(c) > 0 {
		return strings.TrimPrefix(c[0], m.input)
	}
	return ""
}

// View draws the line with its suggestion.
func (m Model) View(s theme.Styles) string {
	return s.Key.Render(":") + m.input + "█" + s.Muted.Render(m.Suggestion()) + s.Muted.Render("   tab completes · enter runs · esc cancels")
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
