// Package nodes is the node capacity view, kube-ops-view's "pods on nodes
// at a glance" for one WEC: each node with its readiness and bars of the
// CPU and memory its pods request against what it can allocate; enter lists
// a node's pods.
package nodes

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/bar"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/look"
	"github.com/wecs-tui/wecs/tui/textview"
)

// order is how the nodes are sorted.
type order int

const (
	byName order = iota
	byCPU
	byMemory
	orders
)

var orderNames = []string{"name", "CPU requested", "memory requested"}

// Model is the node capacity view.
type Model struct {
	tree   *kube.Tree
	styles theme.Styles
	// clusters lists the fleet's WECs, for tab.
	clusters func() []string
	cluster  string
	capacity kube.NodeCapacity
	list     list.Model
	order    order
	// open shows the selected node's pods.
	open          bool
	pods          textview.Model
	tableRows     int
	width, height int
}

// New returns the view over the fleet's tree.
func New(tree *kube.Tree, clusters func() []string, s theme.Styles) Model {
	return Model{tree: tree, clusters: clusters, styles: s}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s; m.Refresh() }

// SetSize sets the area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.layout()
}

func (m *Model) layout() {
	rows := m.height - 1 // column heads
	if m.open {
		rows = max(m.height/2-1, 3)
		m.pods.SetSize(m.width, max(m.height-rows-3, 1))
	}
	m.tableRows = max(rows, 1)
	m.list.SetHeight(m.tableRows)
}

// Show puts a cluster's nodes on screen.
func (m *Model) Show(cluster string) {
	if cluster != m.cluster {
		m.cluster, m.open = cluster, false
		m.list.Select(0)
		m.layout()
	}
	m.Refresh()
}

// Cluster is the cluster on show.
func (m Model) Cluster() string { return m.cluster }

// percent of used in total, for sorting (a node without allocatable last).
func percent(used, total int64) float64 {
	if total <= 0 {
		return -1
	}
	return float64(used) / float64(total)
}

// Refresh re-reads the tree, keeping the selected node.
func (m *Model) Refresh() tea.Cmd {
	selected := m.selected()
	m.capacity = m.tree.NodeCapacity(m.cluster)
	nodes := m.capacity.Nodes
	switch m.order {
	case byCPU:
		slices.SortStableFunc(nodes, func(a, b kube.NodeLoad) int {
			return cmp.Compare(percent(b.CPU, b.Allocatable().CPU), percent(a.CPU, a.Allocatable().CPU))
		})
	case byMemory:
		slices.SortStableFunc(nodes, func(a, b kube.NodeLoad) int {
			return cmp.Compare(percent(b.Memory, b.Allocatable().Memory), percent(a.Memory, a.Allocatable().Memory))
		})
	}
	m.list.SetLen(len(nodes))
	for i, n := range nodes {
		if n.Name == selected {
			m.list.Select(i)
		}
	}
	if m.open {
		m.renderPods()
	}
	return nil
}

func (m Model) selected() string {
	if len(m.capacity.Nodes) == 0 {
		return ""
	}
	return m.capacity.Nodes[m.list.Cursor()].Name
}

// Update handles the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd { return m.keys().Handle(m, msg) }

// keys are the view's bindings.
func (m *Model) keys() keymap.Map[Model] {
	isOpen := func(m *Model) bool { return m.open }
	return keymap.Map[Model]{Title: "Nodes", Footer: []string{"down", "enter", "o", "tab"}, Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "select a node", Page: "a page of nodes up / down", Ends: "first / last node", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, func(m *Model) tea.Cmd {
			if m.open {
				m.renderPods()
			}
			return nil
		}),
		keymap.Binding[Model]{Keys: []string{"enter"}, Short: "enter pods", Long: "its pods (again: close)", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.open = !m.open
			m.layout()
			m.Refresh()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"space"}, Long: "scroll the pods down a page", Active: isOpen, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.pods.Move(m.pods.PageSize())
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"esc", "q"}, Label: "esc / q", Short: "esc close pods", Long: "close the pods", Active: isOpen, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.open = false
			m.layout()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"o"}, Short: "o sort", Long: "sort by name, CPU or memory requested", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.order = (m.order + 1) % orders
			m.Refresh()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"tab"}, Short: "tab next cluster", Long: "the next cluster's nodes", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			if names := m.clusters(); len(names) > 0 {
				m.Show(names[(slices.Index(names, m.cluster)+1)%len(names)])
			}
			return nil
		}},
	)}
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

func (m *Model) renderPods() {
	node := m.selected()
	s := m.styles
	lines := []string{s.Title.Render("Pods on "+termtext.Clean(node)) + s.Muted.Render("  (requests; finished pods hold no place)")}
	for _, p := range m.tree.PodsOn(m.cluster, node) {
		cpu, mem := "—", "—"
		if p.Usage != nil {
			cpu, mem = bar.CPU(p.Usage.CPU), bar.Bytes(p.Usage.Memory)
		}
		lines = append(lines, fmt.Sprintf("  %-48s %s  cpu %-6s mem %-7s", termtext.Clean(p.Namespace+"/"+p.Name),
			look.Status(s, p.Status).Render(fmt.Sprintf("%-12s", look.ObjectGlyph(p))), cpu, mem))
	}
	if len(lines) == 1 {
		lines = append(lines, s.Muted.Render("  no pod is bound to this node"))
	}
	m.pods.SetLines(lines)
}

// Title is the line under the header: the cluster and its totals.
func (m Model) Title() string {
	var cpu, mem, allocCPU, allocMem int64
	pods := 0
	for _, n := range m.capacity.Nodes {
		cpu, mem, pods = cpu+n.CPU, mem+n.Memory, pods+n.Pods
		allocCPU, allocMem = allocCPU+n.Allocatable().CPU, allocMem+n.Allocatable().Memory
	}
	text := fmt.Sprintf(" of %s · %d nodes · %d pods · cpu %s/%s · memory %s/%s requested · sorted by %s",
		m.cluster, len(m.capacity.Nodes), pods, bar.CPU(cpu), bar.CPU(allocCPU), bar.Bytes(mem), bar.Bytes(allocMem), orderNames[m.order])
	title := m.styles.Title.Render("Nodes") + m.styles.Muted.Render(text)
	if m.capacity.Unscheduled > 0 {
		title += m.styles.Warn.Render(fmt.Sprintf(" · %d pods wait for a node", m.capacity.Unscheduled))
	}
	return title
}

// View draws only the nodes on screen, then the selected node's pods.
func (m Model) View() string {
	s := m.styles
	if len(m.capacity.Nodes) == 0 {
		return s.Muted.Render("No nodes of " + m.cluster + " in view: the cluster is not connected, or Nodes may not be listed there (tab: next cluster).")
	}
	nameWidth := 0
	for _, n := range m.capacity.Nodes {
		nameWidth = max(nameWidth, ansi.StringWidth(n.Name))
	}
	nameWidth = min(nameWidth, 32)
	// Name, status, two figures and the pods take about 70 cells.
	barWidth := max(min((m.width-nameWidth-70)/2, 24), 6)
	lines := []string{s.Accent.Render(fmt.Sprintf("%-*s  %-12s  %-*s  %-*s  %s", nameWidth, "NODE", "STATUS",
		barWidth+16, "CPU REQUESTED/ALLOCATABLE", barWidth+20, "MEMORY REQUESTED/ALLOCATABLE", "PODS"))}
	start, end := m.list.Window()
	for i := start; i < end; i++ {
		n := m.capacity.Nodes[i]
		alloc := n.Allocatable()
		status := "? not listed"
		style := s.Muted
		if n.Node != nil {
			status, style = look.ObjectGlyph(*n.Node), look.Status(s, n.Node.Status)
		}
		line := fmt.Sprintf("%-*s  %s  %s %-10s  %s %-14s  %d/%d", nameWidth, ansi.Truncate(termtext.Clean(n.Name), nameWidth, "…"),
			style.Render(fmt.Sprintf("%-12s", status)),
			bar.Fill(n.CPU, alloc.CPU, barWidth, s), bar.CPU(n.CPU)+"/"+bar.CPU(alloc.CPU),
			bar.Fill(n.Memory, alloc.Memory, barWidth, s), bar.Bytes(n.Memory)+"/"+bar.Bytes(alloc.Memory), n.Pods, alloc.Pods)
		line = ansi.Truncate(line, max(m.width, 1), "…")
		if i == m.list.Cursor() {
			line = m.styles.Selected.Render(ansi.Strip(line))
		}
		lines = append(lines, line)
	}
	if m.open {
		for len(lines) < m.tableRows+1 {
			lines = append(lines, "")
		}
		lines = append(lines, s.Muted.Render(strings.Repeat("─", max(m.width, 1))), m.pods.View())
	}
	return strings.Join(lines, "\n")
}
