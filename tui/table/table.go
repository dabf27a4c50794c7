// Package table is the fleet table of one kind: every WEC's objects of
// that kind in rows, with a CLUSTER column and kubectl's own columns (the
// API server's Table), sorted by any column and filtered.
package table

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/columns"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/look"
)

// Data is a live table of one kind across the fleet (a *kube.FleetTable).
type Data interface {
	Snapshot() kube.TableSnapshot
	Changed() <-chan struct{}
	Close()
}

// Model is the fleet table view.
type Model struct {
	tree   *kube.Tree
	styles theme.Styles
	data   Data
	// gen tells the messages of the table on screen from late ones.
	gen  int
	name string
	snap kube.TableSnapshot
	cols []column
	// rows are the rows shown: filtered and sorted.
	rows []kube.TableRow
	// widths are what each column needs for all rows shown, measured as
	// they changed, so that the columns stay put as the table scrolls;
	// oldest is their earliest creation time, which bounds the AGE column
	// as the clock runs.
	widths []int
	oldest time.Time
	list   list.Model
	// sortBy is the sort column's name ("" keeps cluster, namespace, name
	// order); descending reverses it.
	sortBy     string
	descending bool
	// search is the "/" text; filter, the tree's filters.
	search string
	filter kube.Filter
	// Now is the clock of the AGE column.
	Now func() time.Time

	width, height int
}

// New returns the view over the fleet's tree, which holds the status of
// the objects it watches.
func New(tree *kube.Tree, s theme.Styles) Model {
	return Model{tree: tree, styles: s, Now: time.Now}
}

type changedMsg struct{ gen int }

// UnknownKindMsg says no WEC serves the kind the table was opened for.
type UnknownKindMsg struct{ Name string }

type tickMsg struct{ gen int }

// Show puts a table on screen: name is the kind as typed.
func (m *Model) Show(data Data, name string) tea.Cmd {
	m.Leave()
	m.data, m.name = data, name
	m.sortBy, m.descending, m.search = "", false, ""
	m.list.Select(0)
	m.Refresh()
	return tea.Batch(m.waitForChange(), m.tick())
}

// Leave stops the table's watches.
func (m *Model) Leave() {
	m.gen++
	if m.data != nil {
		m.data.Close()
		m.data = nil
	}
}

func (m *Model) waitForChange() tea.Cmd {
	if m.data == nil {
		return nil
	}
	changed, gen := m.data.Changed(), m.gen
	return func() tea.Msg {
		<-changed
		time.Sleep(time.Second / 30) // a burst of changes is one redraw
		return changedMsg{gen: gen}
	}
}

// tick redraws every second, so that the AGE column counts.
func (m *Model) tick() tea.Cmd {
	gen := m.gen
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetSize sets the area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.list.SetHeight(max(height-1, 1))
}

// SetFilter applies the tree's filters (but its kinds) to the rows.
func (m *Model) SetFilter(f kube.Filter) {
	f.Kinds = nil
	m.filter = f
	m.Refresh()
}

// Search keeps the rows whose text contains text (any case).
func (m *Model) Search(text string) {
	m.search = text
	m.Refresh()
}

// SearchStatus says what the "/" text found, or "" without one.
func (m Model) SearchStatus() string {
	if m.search == "" {
		return ""
	}
	return fmt.Sprintf("/%s (%d rows)", m.search, len(m.rows))
}

// Update handles the view's keys and its live updates.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case changedMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.Refresh()
		if m.snap.Unknown {
			name := m.name
			return func() tea.Msg { return UnknownKindMsg{Name: name} }
		}
		return m.waitForChange()
	case tickMsg:
		if msg.gen != m.gen {
			return nil
		}
		return m.tick()
	}
	return m.keys().Handle(m, msg)
}

// Refresh re-reads the table, keeping the cursor on its row.
func (m *Model) Refresh() tea.Cmd {
	selected := ""
	if r, ok := m.selectedRow(); ok {
		selected = r.Key()
	}
	if m.data != nil {
		m.snap = m.data.Snapshot()
	}
	m.cols = columnsOf(m.snap)
	m.rows = m.rows[:0]
	for _, r := range m.snap.Rows {
		if m.filter.Matches(m.objectOf(r)) && m.searched(r) {
			m.rows = append(m.rows, r)
		}
	}
	m.sort()
	m.widths, m.oldest = naturalWidths(m.cols, m.rows, m.Now()), oldestCreated(m.rows)
	m.list.SetLen(len(m.rows))
	if i := slices.IndexFunc(m.rows, func(r kube.TableRow) bool { return r.Key() == selected }); i >= 0 {
		m.list.Select(i)
	}
	return nil
}

// oldestCreated is the earliest creation time of rows, zero if none has one.
func oldestCreated(rows []kube.TableRow) time.Time {
	var oldest time.Time
	for _, r := range rows {
		if created := r.Object.Created; !created.IsZero() && (oldest.IsZero() || created.Before(oldest)) {
			oldest = created
		}
	}
	return oldest
}

// widthsAt are the columns' widths at now: as the rows need them, the AGE
// column widened to the widest age the oldest row has passed through.
func (m Model) widthsAt(now time.Time) []int {
	widths := slices.Clone(m.widths)
	for i, c := range m.cols {
		if c.ages && !m.oldest.IsZero() {
			widths[i] = max(widths[i], widestAge(now.Sub(m.oldest)))
		}
	}
	return widths
}

// searched reports whether a row's text has the "/" text.
func (m *Model) searched(r kube.TableRow) bool {
	if m.search == "" {
		return true
	}
	now := m.Now()
	for _, c := range m.cols {
		if strings.Contains(strings.ToLower(c.cell(r, now)), strings.ToLower(m.search)) {
			return true
		}
	}
	return false
}

// sort orders the rows by the sort column; ties keep cluster, namespace
// and name order.
func (m *Model) sort() {
	i := slices.IndexFunc(m.cols, func(c column) bool { return c.name == m.sortBy })
	if i < 0 {
		return
	}
	col, now := m.cols[i], m.Now()
	compare := col.compare
	if compare == nil {
		compare = func(a, b kube.TableRow) int { return compareCells(col.cell(a, now), col.cell(b, now)) }
	}
	slices.SortStableFunc(m.rows, func(a, b kube.TableRow) int {
		if m.descending {
			return compare(b, a)
		}
		return compare(a, b)
	})
}

// SortBy sorts by the named column (upper-case); the column it already
// sorts by reverses.
func (m *Model) SortBy(name string) {
	if m.sortBy == name {
		m.descending = !m.descending
	} else {
		m.sortBy, m.descending = name, false
	}
	m.Refresh()
}

// objectOf is a row's object as the tree holds it (with its status), else
// as the row describes it, its STATUS cell the status word.
func (m *Model) objectOf(r kube.TableRow) kube.Object {
	if o, ok := m.tree.Object(r.Object.Cluster, r.Object.UID); ok {
		return o
	}
	o := r.Object
	if i := slices.IndexFunc(m.snap.Columns, func(c kube.TableColumn) bool { return strings.EqualFold(c.Name, "Status") }); i >= 0 && i < len(r.Cells) {
		o.Word = r.Cells[i]
	}
	return o
}

func (m *Model) selectedRow() (kube.TableRow, bool) {
	if len(m.rows) == 0 {
		return kube.TableRow{}, false
	}
	return m.rows[m.list.Cursor()], true
}

// Selected is the object of the row under the cursor.
func (m *Model) Selected() (kube.Object, bool) {
	r, ok := m.selectedRow()
	if !ok {
		return kube.Object{}, false
	}
	return m.objectOf(r), true
}

// sortKeys are k9s's shift-letter sort keys and the columns they sort by.
var sortKeys = []struct{ key, column string }{
	{"N", "NAME"}, {"A", "AGE"}, {"S", "STATUS"}, {"R", "READY"}, {"T", "RESTARTS"},
	{"O", "NODE"}, {"I", "IP"}, {"C", "CLUSTER"}, {"P", "NAMESPACE"},
}

func (m *Model) hasColumn(name string) bool {
	return slices.ContainsFunc(m.cols, func(c column) bool { return c.name == name })
}

// keys are the view's bindings.
func (m *Model) keys() keymap.Map[Model] {
	bindings := keymap.Movement(keymap.MoveHelp{Row: "select a row", Page: "a page up / down", Ends: "first / last row", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, nil)
	for _, sk := range sortKeys {
		bindings = append(bindings, keymap.Binding[Model]{Keys: []string{sk.key}, Long: "sort by " + sk.column + " (again: reverse)",
			Active: func(m *Model) bool { return m.hasColumn(sk.column) },
			Run:    func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.SortBy(sk.column); return nil }})
	}
	step := func(delta int) func(*Model, tea.KeyPressMsg) tea.Cmd {
		return func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			i := slices.IndexFunc(m.cols, func(c column) bool { return c.name == m.sortBy })
			if i < 0 && delta < 0 {
				i = 0
			}
			m.SortBy(m.cols[(i+delta+len(m.cols))%len(m.cols)].name)
			return nil
		}
	}
	bindings = append(bindings,
		keymap.Binding[Model]{Keys: []string{">"}, Label: "< / >", Short: "<> sort", Long: "sort by the next / previous column", Run: step(1)},
		keymap.Binding[Model]{Keys: []string{"<"}, Label: "< / >", Long: "sort by the next / previous column", Run: step(-1)},
		keymap.Binding[Model]{Keys: []string{"~"}, Long: "reverse the order", Active: func(m *Model) bool { return m.sortBy != "" },
			Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.SortBy(m.sortBy); return nil }},
	)
	return keymap.Map[Model]{Title: "Table", Footer: []string{"down", ">"}, Bindings: bindings}
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

// Title is the line under the header: the kind, the rows shown, the
// order, and the clusters that show none.
func (m Model) Title() string {
	s := m.styles
	kind := cmp.Or(m.snap.Kind, m.name)
	text := fmt.Sprintf(" · %d of %d", len(m.rows), len(m.snap.Rows))
	if m.sortBy != "" {
		text += " · sorted by " + m.sortBy + map[bool]string{false: "↑", true: "↓"}[m.descending]
	}
	title := s.Title.Render(termtext.Clean(kind)) + s.Muted.Render(text)
	if len(m.snap.Loading) > 0 {
		title += s.Muted.Render(" · loading " + strings.Join(m.snap.Loading, ", "))
	}
	for _, c := range slices.Sorted(maps.Keys(m.snap.Problems)) {
		title += s.Warn.Render(" · " + c + ": " + termtext.Clean(m.snap.Problems[c]))
	}
	return title
}

// View draws the column heads and only the rows on screen.
func (m Model) View() string {
	s := m.styles
	if len(m.rows) == 0 {
		switch {
		case len(m.snap.Loading) > 0:
			return s.Muted.Render("Listing " + m.name + " on " + strings.Join(m.snap.Loading, ", ") + " …")
		case len(m.snap.Rows) > 0:
			return s.Muted.Render("No row passes the filters (x clears the tree's filters, / the search).")
		case len(m.snap.Problems) > 0:
			lines := []string{s.Warn.Render("No " + m.name + " could be read:")}
			for _, c := range slices.Sorted(maps.Keys(m.snap.Problems)) {
				lines = append(lines, s.Warn.Render("  "+c+": "+termtext.Clean(m.snap.Problems[c])))
			}
			return strings.Join(lines, "\n")
		}
		return s.Muted.Render("No resources found: no WEC has " + m.name + ".")
	}
	now := m.Now()
	start, end := m.list.Window()
	shown, widths := columns.Fit(fitted(m.cols), m.widthsAt(now), max(m.width, 1))
	heads := make([]string, len(shown))
	for j, i := range shown {
		head := m.cols[i].name
		if head == m.sortBy {
			head += map[bool]string{false: "↑", true: "↓"}[m.descending]
		}
		heads[j] = columns.Pad(head, widths[j])
	}
	lines := []string{s.Accent.Render(strings.Join(heads, "  "))}
	for r := start; r < end; r++ {
		row := m.rows[r]
		cells := make([]string, len(shown))
		for j, i := range shown {
			cells[j] = columns.Pad(m.cols[i].cell(row, now), widths[j])
			if m.cols[i].name == "STATUS" {
				cells[j] = look.Status(s, m.objectOf(row).Status).Render(cells[j])
			}
		}
		line := strings.Join(cells, "  ")
		if r == m.list.Cursor() {
			line = s.Selected.Render(ansi.Strip(line))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
