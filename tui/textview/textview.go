// Package textview is a scrollable block of styled lines with optional line
// numbers and a search that highlights its matches: the body of the Summary,
// YAML and Events tabs.
package textview

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Model shows lines in a window of the given size.
type Model struct {
	lines []string // styled
	plain []string // the same without styles, for search
	// LineNumbers shows a gutter with each line's number.
	LineNumbers bool
	// Match styles a search match.
	Match         lipgloss.Style
	offset        int
	width, height int
	query         string
	matches       []int // line indices
	current       int
}

// SetSize sets the window.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.clamp()
}

// SetLines replaces the content, keeping the scroll position (live updates
// must not move the reader) and re-running the search.
func (m *Model) SetLines(lines []string) {
	m.lines = lines
	m.plain = make([]string, len(lines))
	for i, l := range lines {
		m.plain[i] = ansi.Strip(l)
	}
	m.findMatches()
	m.clamp()
}

// Reset scrolls back to the top and drops the search: for new content.
func (m *Model) Reset() {
	m.offset, m.query, m.matches = 0, "", nil
}

// Search highlights the lines containing query (ignoring case) and scrolls
// to the first match at or below the top line.
func (m *Model) Search(query string) {
	m.query = query
	m.findMatches()
	m.current = 0
	for i, line := range m.matches {
		if line >= m.offset {
			m.current = i
			break
		}
	}
	m.showCurrent()
}

// NextMatch moves to the next (1) or previous (-1) match, wrapping.
func (m *Model) NextMatch(dir int) {
	if n := len(m.matches); n > 0 {
		m.current = ((m.current+dir)%n + n) % n
		m.showCurrent()
	}
}

// SearchStatus is "/query (2 of 5)", or "" without a search.
func (m Model) SearchStatus() string {
	switch {
	case m.query == "":
		return ""
	case len(m.matches) == 0:
		return "/" + m.query + " (no match)"
	}
	return fmt.Sprintf("/%s (%d of %d)", m.query, m.current+1, len(m.matches))
}

func (m *Model) findMatches() {
	m.matches = m.matches[:0]
	if m.query == "" {
		return
	}
	q := strings.ToLower(m.query)
	for i, l := range m.plain {
		if strings.Contains(strings.ToLower(l), q) {
			m.matches = append(m.matches, i)
		}
	}
	m.current = min(m.current, max(len(m.matches)-1, 0))
}

func (m *Model) showCurrent() {
	if len(m.matches) == 0 {
		return
	}
	line := m.matches[m.current]
	if line < m.offset || line >= m.offset+m.height {
		m.offset = line - m.height/3
	}
	m.clamp()
}

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.height))
}

// Move scrolls by delta lines, stopping at either end.
func (m *Model) Move(delta int) {
	m.offset += delta
	m.clamp()
}

// PageSize is how far a page key scrolls.
func (m Model) PageSize() int { return max(m.height-1, 1) }

// View draws the visible lines, cut to the width.
func (m Model) View() string {
	end := min(len(m.lines), m.offset+m.height)
	gutter := len(fmt.Sprint(len(m.lines)))
	out := make([]string, 0, max(end-m.offset, 0))
	for i := m.offset; i < end; i++ {
		line := m.lines[i]
		if m.query != "" && m.isMatch(i) {
			line = highlight(m.plain[i], m.query, m.Match)
		}
		if m.LineNumbers {
			line = lipgloss.NewStyle().Faint(true).Render(fmt.Sprintf("%*d ", gutter, i+1)) + line
		}
		out = append(out, ansi.Truncate(line, max(m.width, 1), "…"))
	}
	return strings.Join(out, "\n")
}

func (m Model) isMatch(line int) bool {
	for _, l := range m.matches {
		if l == line {
			return true
		}
	}
	return false
}

// highlight styles every occurrence of query (ignoring case) in a plain line.
func highlight(line, query string, style lipgloss.Style) string {
	lower, q := strings.ToLower(line), strings.ToLower(query)
	var b strings.Builder
	for {
		i := strings.Index(lower, q)
		if i < 0 || len(lower) != len(line) {
			b.WriteString(line)
			return b.String()
		}
		b.WriteString(line[:i])
		b.WriteString(style.Render(line[i : i+len(q)]))
		line, lower = line[i+len(q):], lower[i+len(q):]
	}
}
