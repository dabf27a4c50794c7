// Package termtext makes text that came from a cluster safe to draw: no
// terminal escape sequences, no control or text-direction characters, yet
// nothing hidden either: whatever is unsafe shows escaped, as \x1b or \u202e.
package termtext

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Clean returns s for one line of a terminal: tabs become spaces, and
// control characters (C0, DEL, the 8-bit C1 controls that terminals read as
// CSI, OSC, DCS, …), invisible format characters (bidi overrides and
// isolates, zero-width characters), line separators and bytes that are not
// UTF-8 are written as escapes. Its cost is linear in len(s).
func Clean(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteByte(' ')
		case Unsafe(r):
			b.WriteString(Escape(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Unsafe says whether r must not reach a terminal as it is: a control
// character, a format character (which can reorder or hide text) or a line
// or paragraph separator.
func Unsafe(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r)
}

// Escape writes r as a Go-style escape: \n, \r, \x1b, \u009b, \U000e0001.
func Escape(r rune) string {
	switch {
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r < 0x80:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xffff:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}

// Writer passes text to w with what Clean escapes escaped, but keeps
// newlines and tabs: for a command's whole output, a last guard behind
// the cleaning of each field. Each Write is cleaned on its own, so callers
// write whole lines or fields (fmt's functions do).
func Writer(w io.Writer) io.Writer { return cleanWriter{w} }

type cleanWriter struct{ w io.Writer }

func (c cleanWriter) Write(p []byte) (int, error) {
	var b strings.Builder
	start := 0
	for i, r := range string(p) {
		if r == '\n' || r == '\t' {
			b.WriteString(Clean(string(p[start:i])))
			b.WriteRune(r)
			start = i + 1
		}
	}
	b.WriteString(Clean(string(p[start:])))
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Middle fits s into width terminal cells by cutting out its middle and
// putting "…" there, so that the start and the end, where names that share
// a prefix differ, both stay. s must hold no escape sequences.
func Middle(s string, width int) string {
	if ansi.StringWidth(s) <= width {
		return s
	}
	if width <= 1 {
		return ansi.Truncate("…", max(width, 0), "")
	}
	tail := (width - 1) / 2
	head := width - 1 - tail
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, ansi.StringWidth(s)-tail, "")
}
