// Package columns fits a table's columns to the terminal's width, as every
// table of wecs does: all columns when they fit; else the wide ones go,
// then the widest shrink, then the columns not kept go from the right.
package columns

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Column is what fitting needs to know of a column.
type Column struct {
	Name string
	// Wide columns (kubectl's priority above 0) show only if all fit.
	Wide bool
	// Kept columns stay at any width.
	Kept bool
}

// Separator is the room between two columns.
const Separator = 2

// MinWidth is the narrowest a shrunk column gets (or its name, if longer).
const MinWidth = 6

// Fit picks the columns to show in width cells, and the width of each,
// from the widths their cells need (natural).
func Fit(cols []Column, natural []int, width int) (shown []int, widths []int) {
	total := func() int {
		sum := 0
		for _, w := range widths {
			sum += w + Separator
		}
		return sum - Separator
	}
	for i := range cols {
		shown, widths = append(shown, i), append(widths, natural[i])
	}
	if total() > width {
		shown, widths = nil, nil
		for i, c := range cols {
			if !c.Wide {
				shown, widths = append(shown, i), append(widths, natural[i])
			}
		}
	}
	for total() > width {
		widest := -1
		for j, w := range widths {
			if w > max(MinWidth, len(cols[shown[j]].Name)) && (widest < 0 || w > widths[widest]) {
				widest = j
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
	}
	for j := len(shown) - 1; j >= 0 && total() > width; j-- {
		if !cols[shown[j]].Kept {
			shown, widths = append(shown[:j:j], shown[j+1:]...), append(widths[:j:j], widths[j+1:]...)
		}
	}
	return shown, widths
}

// Natural are the widths that show in full each column's head, with room
// cells more (for a mark beside it), and the cells of n rows: cells(row)
// are a row's texts, column by column.
func Natural(cols []Column, room, n int, cells func(row int) []string) []int {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = Width(c.Name) + room
	}
	for r := range n {
		for i, text := range cells(r) {
			if len(text) > widths[i] { // no text takes more cells than bytes
				widths[i] = max(widths[i], Width(text))
			}
		}
	}
	return widths
}

// Width is the cells text takes on screen: quick for printable ASCII, a
// cell a byte, as most of a table's text is.
func Width(text string) int {
	for i := range len(text) {
		if text[i] < ' ' || text[i] > '~' {
			return ansi.StringWidth(text)
		}
	}
	return len(text)
}

// Pad cuts or fills a cell to width cells.
func Pad(text string, width int) string {
	textWidth := Width(text)
	if textWidth > width {
		text = ansi.Truncate(text, width, "…")
		textWidth = ansi.StringWidth(text)
	}
	return text + strings.Repeat(" ", max(width-textWidth, 0))
}
