package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/pane"
)

// openTable puts a table of one kind (as typed: po, deploy, widgets …)
// across the fleet on screen.
func (m *Model) openTable(kind string) tea.Cmd {
	m.popToTree()
	m.push(mode{kind: modeTable, view: &m.views.table})
	cmd := m.views.table.Show(m.fleet.OpenTable(kind), kind)
	m.views.table.SetFilter(m.tree.Filter())
	return cmd
}

// tableShown reports whether a table is on the stack: on screen, or under
// the pane, a line or the help.
func (m *Model) tableShown() bool { return m.viewShown() == &m.views.table }

// filtersChanged gives the tree's filters to the table on screen.
func (m *Model) filtersChanged() {
	if m.tableShown() {
		m.views.table.SetFilter(m.tree.Filter())
	}
}

// selection is the cluster and name of what the keys act on: the table's
// row while a table shows, none over the staged view (its objects are on
// no WEC), else the tree's.
func (m *Model) selection() (cluster, name string, ok bool) {
	if m.stagedShown() {
		return "", "", false
	}
	if m.tableShown() {
		o, ok := m.views.table.Selected()
		return o.Cluster, o.Name, ok
	}
	row, ok := m.tree.Selected()
	return row.Cluster, row.Label, ok
}

// tableTarget is the table's selected object, for the pane.
func (m *Model) tableTarget() (pane.Target, bool) {
	o, ok := m.views.table.Selected()
	if !ok {
		return pane.Target{}, false
	}
	return pane.Target{Key: "table/" + o.Cluster + "/" + string(o.UID), Object: &o, Label: o.Name,
		Children: m.objects.Children(o.Cluster, o.UID), StaleSince: m.tree.StaleSince(o.Cluster)}, true
}

// backFromTable goes back to the tree, at the table's selected object.
func backFromTable(m *Model) tea.Cmd {
	o, ok := m.views.table.Selected()
	m.popToTree()
	if ok && !m.tree.Reveal(o) {
		m.status.Note(o.Kind + " " + o.Name + " is not in the tree (its kind is not watched there)")
	}
	return m.showSelected()
}

func tableSearching(m *Model) bool { return m.views.table.SearchStatus() != "" }

// tableKeys are the root's bindings while a table has the keys, besides
// the table's own (sorting, moving).
func tableKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Table", Bindings: []keymap.Binding[Model]{
		{Keys: []string{"esc"}, Short: "esc clear", Long: "drop the search", Active: tableSearching, Run: do(func(m *Model) tea.Cmd {
			m.views.table.Search("")
			return nil
		})},
		{Keys: []string{"esc"}, Short: "esc tree", Long: "back to the tree, at the selected object", Active: func(m *Model) bool { return !tableSearching(m) }, Run: do(backFromTable)},
		{Keys: []string{"q"}, Long: "back to the tree, at the selected object", Run: do(backFromTable)},
		{Keys: []string{"enter"}, Short: "enter details", Long: "details of the selected object", Disabled: noRow("details"), Run: do(func(m *Model) tea.Cmd {
			return m.openPane(m.pane.Tab())
		})},
	}}
}
