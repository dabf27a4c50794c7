// Package list is a cursor over a list of rows that scrolls to keep the
// cursor in a window of a given height: the selection of the table views
// (clusters, nodes, health check).
package list

// Model is a cursor and a scroll offset over Len rows.
type Model struct {
	cursor, offset, height, n int
}

// SetLen sets the number of rows, keeping the cursor within them.
func (m *Model) SetLen(n int) {
	m.n = n
	m.cursor = max(0, min(m.cursor, n-1))
	m.scroll()
}

// SetHeight sets how many rows the window shows.
func (m *Model) SetHeight(h int) {
	m.height = max(h, 1)
	m.scroll()
}

// Cursor is the selected row's index (0 when empty).
func (m Model) Cursor() int { return m.cursor }

// Select moves the cursor to row i.
func (m *Model) Select(i int) {
	m.cursor = max(0, min(i, m.n-1))
	m.scroll()
}

// Window is the range of rows on screen, [start, end).
func (m Model) Window() (start, end int) {
	return m.offset, min(m.n, m.offset+m.height)
}

// Move moves the cursor by delta rows, stopping at either end.
func (m *Model) Move(delta int) { m.Select(m.cursor + delta) }

// PageSize is how far a page key moves the cursor.
func (m Model) PageSize() int { return max(m.height-1, 1) }

func (m *Model) scroll() {
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+m.height {
		m.offset = m.cursor - m.height + 1
	}
	m.offset = max(0, min(m.offset, m.n-m.height))
}
