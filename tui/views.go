package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/bindings"
	"github.com/wecs-tui/wecs/tui/clusters"
	"github.com/wecs-tui/wecs/tui/forwards"
	"github.com/wecs-tui/wecs/tui/health"
	"github.com/wecs-tui/wecs/tui/nodes"
	"github.com/wecs-tui/wecs/tui/staged"
	"github.com/wecs-tui/wecs/tui/status"
	"github.com/wecs-tui/wecs/tui/table"
)

// fleetViews is what the fleet views read and change, besides the tree's
// data (a *kube.Fleet).
type fleetViews interface {
	clusters.Source
	health.Source
	bindings.Source
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

// fleetView is a view of the whole fleet beside the tree: clusters, node
// capacity, the health check, a table of one kind.
type fleetView interface {
	component
	// Refresh re-reads the data after a change; a view whose reading is
	// long returns it as a command, to run off the update loop.
	Refresh() tea.Cmd
	SetStyles(s theme.Styles)
}

// leaver is a fleet view that stops its reads when it leaves the screen.
type leaver interface{ Leave() }

// fleetViewSet holds the fleet views; the root's copies share it, so that
// a view on the mode stack stays the one on screen.
type fleetViewSet struct {
	clusters clusters.Model
	nodes    nodes.Model
	health   health.Model
	bindings bindings.Model
	staged   staged.Model
	forwards forwards.Model
	table    table.Model
}

func newFleetViews(cfg Config, fleet Fleet, objects *kube.Tree, s theme.Styles) *fleetViewSet {
	requests := func(cluster string) (cpu, memory int64, pods int) {
		for _, n := range objects.NodeCapacity(cluster).Nodes {
			cpu, memory, pods = cpu+n.CPU, memory+n.Memory, pods+n.Pods
		}
		return cpu, memory, pods
	}
	cl := clusters.New(fleet, requests, s)
	cl.ReadOnly = cfg.ReadOnly
	return &fleetViewSet{clusters: cl, nodes: nodes.New(objects, fleet.ClusterNames, s), health: health.New(fleet, objects, s),
		bindings: bindings.New(fleet, cfg.WDS, cfg.WDSContext, s), staged: staged.New(fleet, cfg.WDS, cfg.WDSContext, s), forwards: forwards.New(s), table: table.New(objects, s)}
}

func (vs *fleetViewSet) all() []fleetView {
	return []fleetView{&vs.clusters, &vs.nodes, &vs.health, &vs.bindings, &vs.staged, &vs.forwards, &vs.table}
}

func (vs *fleetViewSet) setSize(width, height int) {
	for _, v := range vs.all() {
		v.SetSize(width, height)
	}
}

func (vs *fleetViewSet) setStyles(s theme.Styles) {
	for _, v := range vs.all() {
		v.SetStyles(s)
	}
}

// update gives the views their results and ticks.
func (vs *fleetViewSet) update(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, v := range vs.all() {
		cmds = append(cmds, v.Update(msg))
	}
	return tea.Batch(cmds...)
}

// showView puts a fleet view on screen, over the tree.
func (m *Model) showView(v fleetView) {
	m.popToTree()
	m.push(mode{kind: modeView, view: v})
}

// showClusters, showNodes and showHealth put a view on screen.
func (m *Model) showClusters(status kube.Health) tea.Cmd {
	m.showView(&m.views.clusters)
	return m.views.clusters.Show(status)
}

func (m *Model) showNodes(cluster string) tea.Cmd {
	if cluster == "" {
		if row, ok := m.tree.Selected(); ok {
			cluster = row.Cluster
		}
	}
	m.showView(&m.views.nodes)
	m.views.nodes.Show(cluster)
	return nil
}

func (m *Model) showHealth() tea.Cmd {
	m.showView(&m.views.health)
	m.views.health.Show(m.tree.Filter().ShowSystem)
	return nil
}

func (m *Model) showBindings() tea.Cmd {
	m.showView(&m.views.bindings)
	return m.views.bindings.Show()
}

func (m *Model) showStaged() tea.Cmd {
	m.showView(&m.views.staged)
	return m.views.staged.Show()
}

// viewCommand runs the ":" commands of the fleet views: clusters [STATUS],
// nodes [CLUSTER], health, bindings, staged. It reports whether the line was one of
// them.
func (m *Model) viewCommand(name, arg string) (tea.Cmd, bool, error) {
	switch strings.ToLower(name) {
	case "clusters", "mc", "managedclusters":
		var status kube.Health
		if arg != "" {
			h, err := kube.ParseHealth(arg)
			if err != nil {
				if name == "clusters" {
					return nil, false, nil // ":clusters NAME" filters the tree, as ":cluster NAME"
				}
				return nil, true, err
			}
			status = h
		}
		return m.showClusters(status), true, nil
	case "nodes", "node", "no":
		if arg != "" && !slices.Contains(m.clusterNames(), arg) {
			return nil, true, &unknownClusterError{arg}
		}
		return m.showNodes(arg), true, nil
	case "health", "healthcheck":
		return m.showHealth(), true, nil
	case "bindings", "bindingpolicies", "bp":
		return m.showBindings(), true, nil
	case "staged", "wds":
		return m.showStaged(), true, nil
	case "pf", "portforward", "portforwards", "forwards":
		m.showView(&m.views.forwards)
		return nil, true, nil
	}
	return nil, false, nil
}

type unknownClusterError struct{ name string }

func (e *unknownClusterError) Error() string {
	return "no cluster " + e.name + " in the fleet (tab completes the names)"
}

// viewRequest handles the fleet views' requests for the tree and the
// editor; handled is false for every other message.
func (m *Model) viewRequest(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case clusters.EditMsg:
		fleet, ref := m.fleet, m.fleet.ManagedClusterRef(msg.Cluster)
		return permitted("edit", fleet.CanEditClusters, func(m *Model) tea.Cmd {
			return m.editor.StartIn(managedClusters{fleet}, ref)
		}), true
	case clusters.ConnectMsg:
		if err := m.fleet.Reconnect(msg.Cluster); err != nil {
			return status.Problem(err.Error()), true
		}
		return status.Note("connecting to " + msg.Cluster), true
	case clusters.ShowClusterMsg:
		m.popToTree()
		m.tree.RevealCluster(msg.Cluster)
		return m.showSelected(), true
	case table.UnknownKindMsg:
		if m.tableShown() {
			m.popToTree()
			m.status.Problem(fmt.Sprintf("unknown command or kind %q: no WEC serves it (:help lists the commands)", msg.Name))
		}
		return nil, true
	case health.JumpMsg:
		m.popToTree()
		if !m.tree.Reveal(msg.Object) {
			m.status.Problem(msg.Object.Kind + " " + msg.Object.Name + " is no longer on " + msg.Object.Cluster)
		}
		return m.showSelected(), true
	case bindings.JumpMsg:
		return m.jumpToCopy(msg), true
	}
	return nil, false
}

// jumpToCopy shows a WEC's copy of a policy's object in the tree: the
// object the WEC holds or, when the WEC cannot be reached or is not watched
// yet, the copy its ManifestWork on the ITS reports. Without either it stays and says why.
func (m *Model) jumpToCopy(msg bindings.JumpMsg) tea.Cmd {
	ref, d := msg.Object, msg.Delivery
	what := ref.Kind + " " + ref.Name
	copyOf := func(objs []kube.Object) (kube.Object, bool) {
		i := slices.IndexFunc(objs, func(o kube.Object) bool {
			return o.Group == ref.Group && o.Kind == ref.Kind && o.Namespace == ref.Namespace && o.Name == ref.Name
		})
		if i < 0 {
			return kube.Object{}, false
		}
		return objs[i], true
	}
	o, found := copyOf(m.objects.Find(kube.Filter{Clusters: []string{d.Cluster}, Namespace: ref.Namespace, Kinds: []string{ref.Kind}, Name: ref.Name, ShowSystem: true}))
	var note string
	members := m.fleet.Members()
	if i := slices.IndexFunc(members, func(mem kube.Member) bool { return mem.Name == d.Cluster }); !found && i >= 0 && members[i].Connection.Unwatched() {
		o, found = copyOf(m.fleet.DeliveredObjects(d.Cluster))
		note = m.unread(d.Cluster) + ": " + what + " as its ManifestWork " + d.Work + " on the ITS reports it"
	}
	if !found {
		why := what + " is not on " + d.Cluster
		if d.Reason != "" {
			why += " (" + string(d.State) + ": " + d.Reason + ")"
		}
		return status.Problem(why)
	}
	m.popToTree()
	if !m.tree.Reveal(o) {
		return status.Problem(what + " is no longer on " + d.Cluster)
	}
	if note != "" {
		m.status.Note(note)
	}
	return m.showSelected()
}

// viewTitle is the line under the header for a fleet view: its title and
// which of its clusters show figures from before a lost connection.
func (m Model) viewTitle(v fleetView) string {
	switch v {
	case &m.views.nodes:
		return v.Title() + m.staleNote(m.views.nodes.Cluster())
	case &m.views.health:
		return v.Title() + m.staleNote()
	}
	return v.Title()
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
