// Package termtext makes text that came from a cluster safe to draw: no
// terminal escape sequences, no control characters.
package termtext

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Clean strips escape sequences and control characters (tabs become spaces).
func Clean(s string) string {
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}
