// Package confirm asks the user to confirm an action on the footer line: y
// or enter confirms, n or esc declines; a dangerous action asks for a word
// to be typed instead.
package confirm

import (
	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/input"
)

// Model is one open question.
type Model struct {
	question string
	// word, when set, must be typed to confirm.
	word  string
	typed input.Model
	// detail follows the question, for what it involves.
	detail string
	// action runs once confirmed; declined once declined.
	action, declined tea.Cmd
}

// AskMsg asks the root to put a question on the footer line.
type AskMsg struct{ Question Model }

// Request is the command that asks a question.
func Request(q Model) tea.Cmd { return func() tea.Msg { return AskMsg{Question: q} } }

// Involving adds what the action involves, shown after the question.
func (m Model) Involving(detail string) Model {
	m.detail = detail
	return m
}

// OrElse sets what runs when the question is declined.
func (m Model) OrElse(declined tea.Cmd) Model {
	m.declined = declined
	return m
}

// Ask asks a yes/no question before action.
func Ask(question string, action tea.Cmd) Model {
	return Model{question: question, action: action}
}

// AskTyped asks for word to be typed before action.
func AskTyped(question, word string, action tea.Cmd) Model {
	return Model{question: question, word: word, typed: input.New(), action: action}
}

// Update handles a key, or a paste of the word: it returns the action once
// confirmed, and done once the question is answered either way.
func (m Model) Update(msg tea.Msg) (next Model, action tea.Cmd, done bool) {
	key, isKey := msg.(tea.KeyPressMsg)
	if !isKey {
		if m.word != "" {
			m.typed, _ = m.typed.Update(msg)
		}
		return m, nil, false
	}
	s := key.String()
	if s == "esc" || s == "ctrl+c" {
		return m, m.declined, true
	}
	if m.word == "" {
		switch s {
		case "y", "Y", "enter":
			return m, m.action, true
		case "n", "N":
			return m, m.declined, true
		}
		return m, nil, false
	}
	if s == "enter" {
		if m.typed.Value() == m.word {
			return m, m.action, true
		}
		return m, m.declined, true
	}
	m.typed, _ = m.typed.Update(key)
	return m, nil, false
}

// View is the footer line.
func (m Model) View(s theme.Styles) string {
	if m.word == "" && m.detail != "" {
		return s.Warn.Render(m.question) + s.Key.Render(" y") + " yes, " + s.Key.Render("n") + " no: " + s.Warn.Render(termtext.Clean(m.detail))
	}
	if m.word == "" {
		return s.Warn.Render(m.question) + " " + s.Key.Render("y") + s.Muted.Render("/") + s.Key.Render("n")
	}
	return s.Warn.Render(m.question) + " " + s.Muted.Render("type "+m.word+" and enter: ") + m.typed.View()
}
