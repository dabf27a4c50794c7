// Package help draws the "?" screen: the bindings of the view on show, in
// sections, in as many columns as fit.
package help

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/keymap"
)

// View lays the groups out in columns within width; a binding disabled
// now is dimmed and says so.
func View(groups []keymap.Group, s theme.Styles, width int) string {
	var blocks []string
	for _, g := range groups {
		lines := []string{s.Title.Render(g.Title)}
		for _, e := range g.Entries {
			what := e.Long
			if e.Disabled != "" {
				what = s.Muted.Render(what + " (off now)")
			}
			lines = append(lines, fmt.Sprintf("%s %s", s.Key.Render(fmt.Sprintf("%-12s", e.Label)), what))
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
