// Package prompt is a component's request for a line of text, typed on
// the footer line in the one text field every prompt shares.
package prompt

import tea "charm.land/bubbletea/v2"

// Msg asks for a prompt line.
type Msg struct {
	// Label comes before the text ("labels of cluster3: ").
	Label string
	// Hint follows the text, muted.
	Hint string
	// Submit gets the text once enter is pressed (esc drops it).
	Submit func(text string) tea.Cmd
}
