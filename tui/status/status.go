// Package status is the root's status line: the last note, problem or
// action in progress, shown in place of the footer's keys until the next
// key. Components report to it with the commands Note, Problem and Busy.
package status

import (
	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/theme"
)

// Kind says how a status reads: a note, a problem or an action under way.
type Kind int

// The kinds of status.
const (
	KindNote Kind = iota
	KindProblem
	KindBusy
)

// Msg sets the status line.
type Msg struct {
	Kind Kind
	Text string
}

// Note, Problem and Busy are commands that set the status line.
func Note(text string) tea.Cmd    { return send(KindNote, text) }
func Problem(text string) tea.Cmd { return send(KindProblem, text) }
func Busy(text string) tea.Cmd    { return send(KindBusy, text) }

func send(kind Kind, text string) tea.Cmd {
	return func() tea.Msg { return Msg{Kind: kind, Text: text} }
}

// Line is the status line's content.
type Line struct{ msg Msg }

// Set shows a status.
func (l *Line) Set(msg Msg) { l.msg = msg }

// Note and Problem show a note or a problem at once.
func (l *Line) Note(text string)    { l.Set(Msg{Kind: KindNote, Text: text}) }
func (l *Line) Problem(text string) { l.Set(Msg{Kind: KindProblem, Text: text}) }

// Clear drops a note or a problem (a key was pressed); an action under way
// stays until its outcome replaces it.
func (l *Line) Clear() {
	if l.msg.Kind != KindBusy {
		l.msg = Msg{}
	}
}

// Text is what the line says ("" when nothing).
func (l Line) Text() string { return l.msg.Text }

// View draws the line in the colour of its kind.
func (l Line) View(s theme.Styles) string {
	text := termtext.Clean(l.msg.Text)
	switch l.msg.Kind {
	case KindProblem:
		return s.Error.Render(text)
	case KindBusy:
		return s.Warn.Render(text)
	}
	return s.OK.Render(text)
}
