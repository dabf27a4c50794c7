// Package tabs draws a tab bar: the current tab bracketed and highlighted,
// the others muted.
package tabs

import (
	"strings"

	"github.com/wecs-tui/wecs/theme"
)

// Bar is the bar of names with current marked.
func Bar(names []string, current int, s theme.Styles) string {
	out := make([]string, len(names))
	for i, name := range names {
		if i == current {
			out[i] = s.Key.Render("[" + name + "]")
		} else {
			out[i] = s.Muted.Render(" " + name + " ")
		}
	}
	return strings.Join(out, " ")
}

// Step is the tab step from current to the next (dir 1) or previous
// (dir -1) of n, wrapping.
func Step(current, dir, n int) int { return ((current+dir)%n + n) % n }
