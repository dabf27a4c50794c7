package tui

import (
	"context"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/clusters"
	"github.com/wecs-tui/wecs/tui/health"
	"github.com/wecs-tui/wecs/tui/help"
	"github.com/wecs-tui/wecs/tui/nodes"
)

// fleetViews is what the fleet views read and change, besides the tree's
// data (a *kube.Fleet).
type fleetViews interface {
	clusters.Source
	health.Source
	ManagedClusterRef(cluster string) kube.Object
	ManagedClusterText(ctx context.Context, cluster string, asJSON bool) ([]byte, error)
	UpdateManagedCluster(ctx context.Context, cluster string, original, edited []byte) error
	CanEditClusters(ctx context.Context) kube.Permission
}

// managedClusters lets the editor edit ManagedClusters on the ITS.
type managedClusters struct{ fleet fleetViews }

func (s managedClusters) EditableText(ctx context.Context, o kube.Object, asJSON bool) ([]byte, error) {
	return s.fleet.ManagedClusterText(ctx, o.Name, asJSON)
}

func (s managedClusters) Update(ctx context.Context, o kube.Object, original, edited []byte) error {
	return s.fleet.UpdateManagedCluster(ctx, o.Name, original, edited)
}

// screen says which view has the body of the screen.
type shown int

const (
	screenTree shown = iota
	screenClusters
	screenNodes
	screenHealth
)

// screens are the fleet views beside the tree: clusters, node capacity
// and the health check; one is on screen at a time, or none (the tree).
type screens struct {
	on       shown
	clusters clusters.Model
	nodes    nodes.Model
	health   health.Model
	// cmd is a command a ":" line started, run after it.
	cmd tea.Cmd
}

func newScreens(fleet Fleet, objects *kube.Tree, s theme.Styles, readOnly bool) screens {
	requests := func(cluster string) (cpu, memory int64, pods int) {
		for _, n := range objects.NodeCapacity(cluster).Nodes {
			cpu, memory, pods = cpu+n.CPU, memory+n.Memory, pods+n.Pods
		}
		return cpu, memory, pods
	}
	cl := clusters.New(fleet, requests, s)
	cl.ReadOnly = readOnly
	return screens{
		clusters: cl,
		nodes:    nodes.New(objects, fleet.ClusterNames, s),
		health:   health.New(fleet, objects, s),
	}
}

func (sc *screens) setSize(width, height int) {
	sc.clusters.SetSize(width, height)
	sc.nodes.SetSize(width, height)
	sc.health.SetSize(width, height)
}

func (sc *screens) setStyles(s theme.Styles) {
	sc.clusters.SetStyles(s)
	sc.nodes.SetStyles(s)
	sc.health.SetStyles(s)
}

// refresh re-reads the data of the view on screen.
func (sc *screens) refresh() {
	switch sc.on {
	case screenClusters:
		sc.clusters.Refresh()
	case screenNodes:
		sc.nodes.Refresh()
	case screenHealth:
		sc.health.Refresh()
	}
}

// showClusters, showNodes and showHealth put a view on screen.
func (m *Model) showClusters(status kube.Health) tea.Cmd {
	m.screens.on = screenClusters
	return m.screens.clusters.Show(status)
}

func (m *Model) showNodes(cluster string) {
	if cluster == "" {
		if row, ok := m.tree.Selected(); ok {
			cluster = row.Cluster
		}
	}
	m.leaveScreen()
	m.screens.on = screenNodes
	m.screens.nodes.Show(cluster)
}

func (m *Model) showHealth() {
	m.leaveScreen()
	m.screens.on = screenHealth
	m.screens.health.Show(m.tree.Filter().ShowSystem)
}

// leaveScreen goes back to the tree.
func (m *Model) leaveScreen() {
	if m.screens.on == screenClusters {
		m.screens.clusters.Hide()
	}
	m.screens.on = screenTree
}

// treeScreenKey opens a fleet view from the tree: C clusters, U node
// capacity (usage) of the selected cluster, H the health check.
func (m *Model) treeScreenKey(key tea.KeyPressMsg) (tea.Cmd, bool) {
	switch key.String() {
	case "C":
		return m.showClusters(""), true
	case "U":
		m.showNodes("")
		return nil, true
	case "H":
		m.showHealth()
		return nil, true
	}
	return nil, false
}

// screenCommand runs the ":" commands of the fleet views: clusters [STATUS],
// nodes [CLUSTER], health. It reports whether line was one of them.
func (m *Model) screenCommand(name, arg string) (bool, error) {
	switch strings.ToLower(name) {
	case "clusters", "mc", "managedclusters":
		var status kube.Health
		if arg != "" {
			h, err := kube.ParseHealth(arg)
			if err != nil {
				if name == "clusters" {
					return false, nil // ":clusters NAME" filters the tree, as ":cluster NAME"
				}
				return true, err
			}
			status = h
		}
		m.screens.cmd = m.showClusters(status)
	case "nodes", "node", "no":
		if arg != "" && !slices.Contains(m.clusterNames(), arg) {
			return true, &unknownClusterError{arg}
		}
		m.showNodes(arg)
	case "health", "healthcheck":
		m.showHealth()
	default:
		return false, nil
	}
	return true, nil
}

type unknownClusterError struct{ name string }

func (e *unknownClusterError) Error() string {
	return "no cluster " + e.name + " in the fleet (tab completes the names)"
}

// takeScreenCmd returns the command a ":" line started, once.
func (m *Model) takeScreenCmd() tea.Cmd {
	cmd := m.screens.cmd
	m.screens.cmd = nil
	return cmd
}

// screenJump handles the fleet views' requests for the tree and the
// editor; ok is false for every other message.
func (m Model) screenJump(msg tea.Msg) (Model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case clusters.EditMsg:
		fleet, ref := m.fleet, m.fleet.ManagedClusterRef(msg.Cluster)
		return m, permitted("edit", fleet.CanEditClusters, func(m *Model) tea.Cmd {
			return m.editor.StartIn(managedClusters{fleet}, ref)
		}), true
	case clusters.ShowClusterMsg:
		m.leaveScreen()
		m.tree.RevealCluster(msg.Cluster)
		return m, m.showSelected(), true
	case health.JumpMsg:
		m.leaveScreen()
		if !m.tree.Reveal(msg.Object) {
			m.problem = msg.Object.Kind + " " + msg.Object.Name + " is no longer on " + msg.Object.Cluster
		}
		return m, m.showSelected(), true
	}
	return m, nil, false
}

// update gives the clusters view its results and ticks.
func (sc *screens) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	sc.clusters, cmd = sc.clusters.Update(msg)
	return cmd
}

// screenKey handles a key while a fleet view is on screen.
func (m Model) screenKey(key tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	// An open question or label line takes every key; open node pods take
	// esc and q (they close first).
	capturing := m.screens.on == screenClusters && m.screens.clusters.Capturing()
	back := !(m.screens.on == screenNodes && m.screens.nodes.Capturing())
	if !capturing {
		switch key.String() {
		case "ctrl+c":
			return m, m.quit()
		case "esc", "q":
			if back {
				m.leaveScreen()
				return m, m.showSelected()
			}
		case "?":
			m.openHelp()
			return m, nil
		}
	}
	var cmd tea.Cmd
	switch m.screens.on {
	case screenClusters:
		m.screens.clusters, cmd = m.screens.clusters.Update(key)
	case screenNodes:
		m.screens.nodes, cmd = m.screens.nodes.Update(key)
	case screenHealth:
		m.screens.health, cmd = m.screens.health.Update(key)
	}
	return m, cmd
}

// screenParts are the title, body and footer of the view on screen.
func (m Model) screenParts() (title, body, footer string) {
	switch m.screens.on {
	case screenClusters:
		return m.screens.clusters.Title(), m.screens.clusters.View(), m.screens.clusters.Footer()
	case screenNodes:
		return m.screens.nodes.Title() + m.staleNote(m.screens.nodes.Cluster()), m.screens.nodes.View(), m.screens.nodes.Footer()
	}
	return m.screens.health.Title() + m.staleNote(), m.screens.health.View(), m.screens.health.Footer()
}

// staleNote says which of the clusters (all, when none is named) show
// figures kept from before their connection was lost.
func (m Model) staleNote(clusters ...string) string {
	var stale []string
	for _, mem := range m.fleet.Members() {
		if !mem.Connection.StaleSince.IsZero() && (len(clusters) == 0 || slices.Contains(clusters, mem.Name)) {
			stale = append(stale, mem.Name+" "+theme.StaleText(mem.Connection.StaleSince))
		}
	}
	if len(stale) == 0 {
		return ""
	}
	return m.styles.Warn.Render(" · " + strings.Join(stale, ", "))
}

// screenHelp is the help of the view on screen.
func (m Model) screenHelp() []help.Section {
	var own help.Section
	switch m.screens.on {
	case screenClusters:
		own = m.screens.clusters.Help()
	case screenNodes:
		own = nodes.Help()
	default:
		own = health.Help()
	}
	return []help.Section{own, {Title: "Everywhere", Keys: []help.Key{
		{Keys: ":", What: "command"}, {Keys: "esc / q", What: "back to the tree"}, {Keys: "?", What: "this help"}, {Keys: "ctrl+c", What: "quit"},
	}}, {Title: "Commands", Keys: commands}}
}
