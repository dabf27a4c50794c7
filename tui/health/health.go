// Package health is the fleet health check: every workload found on more
// than one WEC with one column per cluster showing its readiness there,
// asymmetries marked, grouped by KubeStellar binding policy, over the
// per-cluster totals of each kind. Enter shows the selected copy in the tree.
package health

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/look"
)

// Source gives the view its data (a *kube.Fleet and its tree).
type Source interface {
	kube.Deliveries
	ClusterNames() []string
}

// JumpMsg asks for the tree, on an object.
type JumpMsg struct{ Object kube.Object }

// row is a policy heading (spread nil) or a workload.
type row struct {
	heading string
	spread  *kube.Spread
}

// Model is the health check view.
type Model struct {
	src    Source
	tree   *kube.Tree
	styles theme.Styles
	check  kube.HealthCheck
	rows   []row
	list   list.Model
	// column is the selected cluster (index in check.Clusters).
	column int
	// onlyAsymmetric hides the workloads that agree everywhere.
	onlyAsymmetric bool
	showSystem     bool
	width, height  int
}

// New returns the view.
func New(src Source, tree *kube.Tree, s theme.Styles) Model {
	return Model{src: src, tree: tree, styles: s}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetSize sets the area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.list.SetHeight(m.tableHeight())
}

// totalsHeight is the room of the totals: a rule, a heading, one line per kind.
func (m *Model) totalsHeight() int { return min(len(m.check.Totals)+2, m.height/3) }

func (m *Model) tableHeight() int { return max(m.height-m.totalsHeight()-1, 1) }

// Show builds the check, with system namespaces as the tree has them.
func (m *Model) Show(showSystem bool) {
	m.showSystem = showSystem
	m.Refresh()
}

// Refresh rebuilds the check, keeping the selected workload.
func (m *Model) Refresh() tea.Cmd {
	var selected *kube.Spread
	if r, ok := m.selectedRow(); ok {
		selected = r.spread
	}
	m.check = m.tree.HealthCheck(m.src.ClusterNames(), m.src, m.showSystem)
	m.rows = m.rows[:0]
	last := "\x00"
	for i := range m.check.Spreads {
		sp := &m.check.Spreads[i]
		if m.onlyAsymmetric && !sp.Asymmetric() {
			continue
		}
		if sp.BindingPolicy != last {
			last = sp.BindingPolicy
			heading := "Not delivered by KubeStellar"
			if sp.BindingPolicy != "" {
				heading = "BindingPolicy " + sp.BindingPolicy + " → " + strings.Join(sp.Targets, ", ")
			}
			m.rows = append(m.rows, row{heading: heading})
		}
		m.rows = append(m.rows, row{spread: sp})
	}
	m.list.SetLen(len(m.rows))
	m.list.SetHeight(m.tableHeight())
	m.column = min(m.column, max(len(m.check.Clusters)-1, 0))
	if selected == nil {
		return nil
	}
	for i, r := range m.rows {
		if r.spread != nil && r.spread.Namespace == selected.Namespace && r.spread.Kind == selected.Kind && r.spread.Name == selected.Name {
			m.list.Select(i)
		}
	}
	return nil
}

func (m Model) selectedRow() (row, bool) {
	if len(m.rows) == 0 {
		return row{}, false
	}
	return m.rows[m.list.Cursor()], true
}

// Update handles the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd { return m.keys().Handle(m, msg) }

// keys are the view's bindings.
func (m *Model) keys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Fleet health check", Footer: []string{"down", "right", "enter", "a"}, Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "select a workload", Page: "a page of workloads up / down", Ends: "first / last workload", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, nil),
		keymap.Binding[Model]{Keys: []string{"right", "l", "left", "h"}, Label: "← → h l", Short: "←→ cluster", Long: "select a cluster's copy", Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
			if k := key.String(); k == "right" || k == "l" {
				m.column = min(m.column+1, max(len(m.check.Clusters)-1, 0))
			} else {
				m.column = max(m.column-1, 0)
			}
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"enter"}, Short: "enter show in tree", Long: "that copy in the tree", Disabled: func(m *Model) string {
			if r, ok := m.selectedRow(); !ok || r.spread == nil || len(m.check.Clusters) == 0 {
				return "show in tree: select a workload first"
			}
			return ""
		}, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			r, _ := m.selectedRow()
			o, ok := r.spread.On[m.check.Clusters[m.column]]
			if !ok {
				for _, c := range m.check.Clusters {
					if o, ok = r.spread.On[c]; ok {
						break
					}
				}
			}
			return func() tea.Msg { return JumpMsg{Object: o} }
		}},
		keymap.Binding[Model]{Keys: []string{"a"}, Short: "a only differing", Long: "only the workloads that differ (toggle)", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.onlyAsymmetric = !m.onlyAsymmetric
			m.Refresh()
			return nil
		}},
	)}
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

// Title is the line under the header: how many workloads, how many differ.
func (m Model) Title() string {
	asym := 0
	for _, sp := range m.check.Spreads {
		if sp.Asymmetric() {
			asym++
		}
	}
	text := fmt.Sprintf(" · %d workloads on more than one WEC", len(m.check.Spreads))
	title := m.styles.Title.Render("Fleet health check") + m.styles.Muted.Render(text)
	if asym > 0 {
		title += m.styles.Warn.Render(fmt.Sprintf(" · %d differ between clusters (≠)", asym))
	}
	if m.onlyAsymmetric {
		title += m.styles.Muted.Render(" · only those shown (a: all)")
	}
	return title
}

// cellWidth fits "✗ NotReady 10/10".
const cellWidth = 18

func (m Model) cell(sp *kube.Spread, cluster string, selected bool) string {
	o, ok := sp.On[cluster]
	text, style := "—", m.styles.Muted
	if ok {
		text, style = look.ObjectGlyph(o), look.Status(m.styles, o.Status)
		if o.Ready != "" {
			text += " " + o.Ready
		}
	}
	text = fmt.Sprintf("%-*s", cellWidth, ansi.Truncate(text, cellWidth, "…"))
	if selected {
		return m.styles.Selected.Render(text)
	}
	return style.Render(text)
}

// visibleClusters are the cluster columns that fit beside the names: when
// not all do, those around the selected one, so that it stays on screen.
func (m Model) visibleClusters(nameWidth int) []string {
	all := m.check.Clusters
	fit := max((m.width-nameWidth-2)/(cellWidth+1), 1)
	if fit >= len(all) {
		return all
	}
	first := max(m.column-fit+1, 0)
	return all[first : first+fit]
}

// View draws the workloads on screen and the totals.
func (m Model) View() string {
	s := m.styles
	nameWidth := 12
	for _, r := range m.rows {
		if r.spread != nil {
			nameWidth = max(nameWidth, ansi.StringWidth(r.spread.Namespace+"/"+r.spread.Kind+" "+r.spread.Name))
		}
	}
	nameWidth = min(nameWidth, max(m.width-len(m.check.Clusters)*(cellWidth+1)-4, 20))
	clusters := m.visibleClusters(nameWidth)
	head := fmt.Sprintf("  %-*s", nameWidth, "WORKLOAD")
	for _, c := range clusters {
		head += " " + fmt.Sprintf("%-*s", cellWidth, ansi.Truncate(c, cellWidth, "…"))
	}
	lines := []string{s.Accent.Render(head)}
	if len(m.rows) == 0 {
		lines = append(lines, s.Muted.Render("No workload runs on more than one WEC (in the namespaces shown)."))
	}
	start, end := m.list.Window()
	for i := start; i < end; i++ {
		r := m.rows[i]
		selected := i == m.list.Cursor()
		if r.spread == nil {
			line := s.Title.Render(termtext.Clean(r.heading))
			if selected {
				line = m.styles.Selected.Render(termtext.Clean(r.heading))
			}
			lines = append(lines, line)
			continue
		}
		sp := r.spread
		mark := "  "
		if sp.Asymmetric() {
			mark = s.Warn.Render("≠ ")
		}
		name := fmt.Sprintf("%-*s", nameWidth, termtext.Middle(termtext.Clean(sp.Namespace+"/"+sp.Kind+" "+sp.Name), nameWidth))
		if selected {
			name = m.styles.Selected.Render(name)
		}
		line := mark + name
		for _, c := range clusters {
			line += " " + m.cell(sp, c, selected && c == m.check.Clusters[m.column])
		}
		lines = append(lines, ansi.Truncate(line, max(m.width, 1), "…"))
	}
	for len(lines) < m.tableHeight() {
		lines = append(lines, "")
	}
	lines = append(lines, s.Muted.Render(strings.Repeat("─", max(m.width, 1))), s.Title.Render("Top-level objects per kind and cluster"))
	for i, kt := range m.check.Totals {
		if i >= m.totalsHeight()-2 {
			break
		}
		line := fmt.Sprintf("  %-*s", nameWidth, kt.Kind)
		for _, c := range clusters {
			counts := kt.ByCluster[c]
			text := fmt.Sprint(counts.Total)
			if bad := counts.Total - counts.Of(kube.StatusReady) - counts.Of(kube.StatusRunning) - counts.Of(kube.StatusSucceeded); bad > 0 {
				text += fmt.Sprintf(" (%d not ok)", bad)
			}
			line += " " + fmt.Sprintf("%-*s", cellWidth, text)
		}
		lines = append(lines, ansi.Truncate(line, max(m.width, 1), "…"))
	}
	return strings.Join(lines, "\n")
}
