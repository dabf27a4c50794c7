// Package help draws the "?" screen: every key of the current view, in
// sections, in as many columns as fit.
package help

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/wecs-tui/wecs/theme"
)

// Key is one key and what it does.
type Key struct{ Keys, What string }

// Section is a titled group of keys.
type Section struct {
	Title string
	Keys  []Key
}

// View lays the sections out in columns within width.
func View(sections []Section, s theme.Styles, width int) string {
	var blocks []string
	for _, sec := range sections {
		lines := []string{s.Title.Render(sec.Title)}
		for _, k := range sec.Keys {
			lines = append(lines, fmt.Sprintf("%s %s", s.Key.Render(fmt.Sprintf("%-12s", k.Keys)), k.What))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	colWidth := 0
	for _, b := range blocks {
		colWidth = max(colWidth, lipgloss.Width(b))
	}
	perRow := max(1, width/(colWidth+3))
	var rows []string
	for i := 0; i < len(blocks); i += perRow {
		row := blocks[i:min(i+perRow, len(blocks))]
		cells := make([]string, len(row))
		for j, b := range row {
			cells[j] = lipgloss.NewStyle().Width(colWidth + 3).Render(b)
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cells...))
	}
	return s.Muted.Render("↑↓ pgup pgdn scroll · esc or ? closes this help") + "\n\n" + strings.Join(rows, "\n\n")
}

// Footer renders "key what" pairs (the key before the first space) as a
// footer line: keys highlighted, words muted.
func Footer(keys []string, s theme.Styles) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		key, what, _ := strings.Cut(k, " ")
		out[i] = s.Key.Render(key) + " " + s.Muted.Render(what)
	}
	return strings.Join(out, "  ")
}
