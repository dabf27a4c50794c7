// Package input is the one-line text field of every prompt (search, the
// command line, the log filter, cluster labels, typed confirmations): the
// keys of a shell line (←/→, home/end, ctrl+a/e, ctrl+w, ctrl+u, ctrl+k,
// delete) and bracketed paste.
package input

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Model is the text being typed and the cursor in it.
type Model struct {
	field textinput.Model
}

// New returns an empty line with the cursor in it.
func New() Model {
	f := textinput.New()
	f.Prompt = ""
	// The clipboard is the terminal's: it arrives as a paste, not ctrl+v.
	f.KeyMap.Paste = key.NewBinding(key.WithDisabled())
	// Completion is the command line's own (tab), not the field's.
	f.KeyMap.AcceptSuggestion = key.NewBinding(key.WithDisabled())
	f.KeyMap.NextSuggestion = key.NewBinding(key.WithDisabled())
	f.KeyMap.PrevSuggestion = key.NewBinding(key.WithDisabled())
	st := textinput.DefaultDarkStyles()
	st.Cursor.Blink = false // a blinking cursor redraws the screen twice a second
	st.Cursor.Color = nil   // the terminal's colours, reversed
	st.Focused.Text, st.Focused.Prompt = lipgloss.NewStyle(), lipgloss.NewStyle()
	f.SetStyles(st)
	f.Focus()
	return Model{field: f}
}

// Value is the text typed so far.
func (m Model) Value() string { return m.field.Value() }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.field.SetValue(s)
	m.field.CursorEnd()
}

// AtEnd reports whether the cursor is after the last character.
func (m Model) AtEnd() bool { return m.field.Position() == len([]rune(m.field.Value())) }

// Update edits the line with a key press or a paste (line breaks at the
// end of a paste are dropped, others become spaces). It reports whether
// the text changed.
func (m Model) Update(msg tea.Msg) (Model, bool) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		msg.Content = strings.TrimRight(msg.Content, "\r\n")
		before := m.Value()
		m.field, _ = m.field.Update(msg)
		return m, m.Value() != before
	case tea.KeyPressMsg:
		before := m.Value()
		m.field, _ = m.field.Update(msg)
		return m, m.Value() != before
	}
	return m, false
}

// View is the text with the cursor, reversed, where it stands.
func (m Model) View() string { return m.field.View() }
