// Package tui is wecs's terminal UI: the root bubbletea model that lays out
// the components (one package each under tui/) and routes messages to them.
package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"

	"github.com/wecs-tui/wecs/tui/command"
	"github.com/wecs-tui/wecs/tui/confirm"
	"github.com/wecs-tui/wecs/tui/editor"
	"github.com/wecs-tui/wecs/tui/input"
	"github.com/wecs-tui/wecs/tui/pane"
	"github.com/wecs-tui/wecs/tui/prompt"
	"github.com/wecs-tui/wecs/tui/status"
	"github.com/wecs-tui/wecs/tui/textview"
	"github.com/wecs-tui/wecs/tui/tree"
	"github.com/wecs-tui/wecs/tui/wdsread"
)

// Config is what the UI is started with.
type Config struct {
	// ITSContext is the kubeconfig context of the ITS.
	ITSContext string
	// Mouse turns on mouse reporting (off by default: it breaks text selection).
	Mouse bool
	// LogLines is how many lines the Logs tab keeps (0: the default).
	LogLines int
	// ReadOnly hides every action that changes something (the clients
	// refuse them anyway).
	ReadOnly bool
	// Sized, if set, is called once, as the window's size first comes:
	// the next frame is drawn at that size.
	Sized func()
	// Drawn, if set, is called once the first frame at the window's size is
	// on the screen, or a second after the start if no size came.
	Drawn func()
	// WDS, if set, is the WDS behind the context WDSContext: the bindings
	// view reads its BindingPolicies, the staged view its objects, which
	// an edit there changes.
	WDS        WDS
	WDSContext string
}

// WDS is a KubeStellar WDS (a *kube.WDSClient).
type WDS interface {
	wdsread.WDS
	// EditableText and Update edit its objects.
	editor.Store
	// Can asks it whether the user may verb an object.
	Can(ctx context.Context, verb string, o kube.Object) kube.Permission
}

// Fleet is the live data the UI shows (a *kube.Fleet).
type Fleet interface {
	tree.Source
	pane.Watcher
	Changed() <-chan struct{}
	// Reconnect drops and re-opens the watches on one WEC (non-blocking).
	Reconnect(cluster string) error
	// ITSProblem says why the ITS stopped answering, or "".
	ITSProblem() string
	editor.Store
	Fetch(ctx context.Context, o kube.Object) (*unstructured.Unstructured, error)
	Delete(ctx context.Context, o kube.Object) error
	Scale(ctx context.Context, o kube.Object, replicas int32) error
	Restart(ctx context.Context, o kube.Object) error
	// PodClient reaches a connected WEC's pods, for exec and port-forward.
	PodClient(cluster string) (*kube.PodClient, error)
	Can(ctx context.Context, verb string, o kube.Object, subresource string) kube.Permission
	// OpenTable lists then watches one kind on every WEC, until closed.
	OpenTable(kind string) *kube.FleetTable
	fleetViews
}

// splitWidth is the narrowest terminal that shows tree and pane side by
// side; a narrower one shows whichever has the focus.
const splitWidth = 100

// Model is the root model.
type Model struct {
	cfg Config
	// sized and drawn call cfg.Sized and cfg.Drawn once.
	sized, drawn *sync.Once
	// changesTaken is when waitForChange last reported a change.
	changesTaken  *time.Time
	fleet         Fleet
	objects       *kube.Tree
	styles        theme.Styles
	tree          tree.Model
	pane          pane.Model
	views         *fleetViewSet
	width, height int
	// modes is what has the keyboard: the top of the stack; the tree is
	// always at its bottom.
	modes []mode
	// The state of the modes that may be on the stack.
	query    input.Model
	command  command.Model
	question confirm.Model
	prompt   prompt.Msg
	help     textview.Model
	editor   editor.Model
	status   status.Line
}

// frameInterval bounds redraws: bursts of changes within it become one.
const frameInterval = time.Second / FramesPerSecond

// FramesPerSecond is how often, at most, the fleet's changes redraw the
// screen: the changes within a frame become one redraw.
const FramesPerSecond = 15

// RendererFPS is how often the renderer looks for a new frame to write: a
// drawn frame (a key's answer, a change) waits up to one look to reach the
// terminal. Each look wakes the process even when nothing changed: idle
// on the scale fleet, the TUI used about 0.5 % of a core at 15 looks a
// second, 0.6–0.7 % at 30 and 0.8 % at 60.
const RendererFPS = 30

// changedMsg says the fleet or its objects changed since the last redraw;
// fleet, that the members (health, connections) did.
type changedMsg struct{ fleet bool }

// quitMsg ends the program once the user confirmed.
type quitMsg struct{}

// New returns the root model; it starts with the dark theme and switches if
// the terminal reports a light background.
func New(cfg Config, fleet Fleet, objects *kube.Tree) Model {
	styles := theme.For(true)
	return Model{cfg: cfg, fleet: fleet, objects: objects, styles: styles,
		tree: tree.New(fleet, objects, styles), pane: pane.New(fleet, styles, cfg.LogLines), editor: editor.New(fleet),
		views: newFleetViews(cfg, fleet, objects, styles), modes: []mode{{kind: modeTree}}, sized: &sync.Once{}, drawn: &sync.Once{}, changesTaken: &time.Time{}}
}

// Init asks the terminal for its background colour (never waited for) and
// starts listening for changes.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.waitForChange(), m.drawnAfter(drawnAtLatest))
}

// drawnAtLatest is when Config.Drawn is called even if the window's size
// has not come.
const drawnAtLatest = time.Second

// drawnAfter calls Config.Drawn, once, after wait: the first frame at the
// window's size is flushed at the next frame after its size came.
func (m Model) drawnAfter(wait time.Duration) tea.Cmd {
	if m.cfg.Drawn == nil {
		return nil
	}
	return func() tea.Msg {
		time.Sleep(wait)
		m.drawn.Do(m.cfg.Drawn)
		return nil
	}
}

// waitForChange blocks (in its own goroutine, as every tea.Cmd) until the
// fleet or the tree changes. A change a frame or more after the last one
// is reported at once; one sooner waits until a frame has passed, with
// whatever else piles up meanwhile, so that a burst costs a redraw a frame.
func (m Model) waitForChange() tea.Cmd {
	fleetChanged, treeChanged, taken := m.fleet.Changed(), m.objects.Changed(), m.changesTaken
	return func() tea.Msg {
		var msg changedMsg
		select {
		case <-fleetChanged:
			msg.fleet = true
		case <-treeChanged:
		}
		time.Sleep(time.Until(taken.Add(frameInterval)))
		select {
		case <-fleetChanged:
			msg.fleet = true
		default:
		}
		// The tree's changes are taken whole when the message is handled.
		select {
		case <-treeChanged:
		default:
		}
		*taken = time.Now()
		return msg
	}
}

// Update routes a message: keys to the mode on top, results to whoever
// asked for them, everything else to the components that listen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		return m, m.typed(msg)
	case quitMsg:
		return m, m.quit()
	case status.Msg:
		m.status.Set(msg)
		return m, nil
	case confirm.AskMsg:
		m.ask(msg.Question)
		return m, nil
	case changedMsg:
		lost := m.tree.Apply(m.objects.TakeChanges())
		if msg.fleet {
			lost = m.tree.RefreshMembers() || lost
		}
		if lost {
			m.status.Note("the selected object is gone; moved to its neighbour")
		}
		var refresh tea.Cmd
		if v := m.page().view; v != nil {
			refresh = v.Refresh()
		}
		return m, tea.Batch(m.waitForChange(), m.showSelected(), refresh)
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		if m.cfg.Sized != nil {
			m.sized.Do(m.cfg.Sized)
		}
		return m, tea.Batch(m.showSelected(), m.drawnAfter(2*frameInterval))
	case tea.BackgroundColorMsg:
		m.styles = theme.For(msg.IsDark())
		m.tree.SetStyles(m.styles)
		m.pane.SetStyles(m.styles)
		m.views.setStyles(m.styles)
		return m, nil
	}
	if cmd, handled := m.actionResult(msg); handled {
		return m, tea.Batch(cmd, m.showSelected())
	}
	if cmd, handled := m.viewRequest(msg); handled {
		return m, tea.Batch(cmd, m.showSelected())
	}
	var editCmd tea.Cmd
	m.editor, editCmd = m.editor.Update(msg)
	paneCmd := m.pane.Update(msg)
	viewCmd := m.views.update(msg)
	if _, read := msg.(wdsread.Read); read && m.stagedShown() {
		// The WDS read again: the pane shows the new copy.
		viewCmd = tea.Batch(viewCmd, m.showSelected())
	}
	return m, tea.Batch(editCmd, paneCmd, viewCmd)
}

// key clears the status line and gives the key to the mode on top: its
// component's bindings first, then the root's, then, on a text line, the
// text.
func (m *Model) key(key tea.KeyPressMsg) tea.Cmd {
	m.status.Clear()
	if c := m.top().component(m); c != nil && hasKey(c.Keys(), key.String()) {
		cmd := c.Update(key)
		if a, ok := c.(asker); ok {
			if p := a.TakeAsk(); p != nil {
				m.askLine(*p)
			}
		}
		return cmd
	}
	for _, km := range m.keymaps() {
		if cmd, ok := km.Dispatch(m, key); ok {
			return cmd
		}
	}
	return m.typed(key)
}

// asker is a component whose keys may ask for a line of text at once.
type asker interface{ TakeAsk() *prompt.Msg }

// ask puts a question on the footer line.
func (m *Model) ask(q confirm.Model) {
	m.question = q
	m.push(mode{kind: modeConfirm})
}

func (m *Model) quit() tea.Cmd {
	m.pane.Close()
	return tea.Quit
}

// reconnect re-opens the watches on the selected row's cluster.
func (m *Model) reconnect() tea.Cmd {
	cluster, _, _ := m.selection()
	if err := m.fleet.Reconnect(cluster); err != nil {
		return status.Problem(err.Error())
	}
	return status.Note("reconnecting to " + cluster)
}

// openPane shows a tab and gives the pane the keys.
func (m *Model) openPane(tab pane.Tab) tea.Cmd {
	if !m.paneFocused() {
		m.push(mode{kind: modePane})
	}
	return tea.Batch(m.showSelected(), m.pane.SetTab(tab))
}

// paneVisible reports whether the details pane is on screen.
func (m *Model) paneVisible() bool {
	return m.width >= splitWidth && !m.listShown() || m.paneFocused()
}

// showSelected points the pane at the selection (the table's or the
// tree's), while it shows.
func (m *Model) showSelected() tea.Cmd {
	if !m.paneVisible() {
		return nil
	}
	if m.listShown() {
		t, ok := m.tableTarget()
		if m.stagedShown() {
			t, ok = m.stagedTarget()
		}
		if ok {
			return m.pane.Select(t)
		}
		return nil
	}
	row, ok := m.tree.Selected()
	if !ok {
		return nil
	}
	t := pane.Target{Key: row.Key, Member: row.Member, Object: row.Object, Label: row.Label, Counts: row.Counts,
		StaleSince: m.tree.StaleSince(row.Cluster)}
	if row.Object != nil {
		t.Children = m.objects.Children(row.Cluster, row.Object.UID)
	}
	return m.pane.Select(t)
}

// layout gives the tree, the pane and the fleet views their share of the
// window; a pane nobody sees watches nothing.
func (m *Model) layout() {
	if !m.paneVisible() {
		m.pane.Hide()
	}
	body := max(m.height-4, 1) // header, filters, breadcrumbs, footer
	m.views.setSize(m.width, body)
	switch {
	case m.width >= splitWidth && !m.listShown():
		treeWidth := m.width * 45 / 100
		m.tree.SetSize(treeWidth, body)
		m.pane.SetSize(m.width-treeWidth-3, body)
	case m.paneFocused():
		m.pane.SetSize(m.width, body)
	default:
		m.tree.SetSize(m.width, body)
		m.pane.SetSize(m.width, body)
	}
}

// header says where wecs looks, how much of the fleet answers and when
// anything last changed, to the minute: a change the screen does not show
// otherwise then costs no redraw.
func (m Model) header() string {
	// The cluster rows carry the members as of the last rebuild: View reads
	// them instead of asking the fleet again on every frame.
	members, connected := 0, 0
	for _, r := range m.tree.Rows() {
		if r.Level != tree.LevelCluster {
			continue
		}
		members++
		if r.Member.Connection.State == kube.Connected {
			connected++
		}
	}
	last := "no changes yet"
	if t := m.objects.LastChange(); !t.IsZero() {
		last = "last change " + t.Format("15:04")
	}
	its := m.styles.Muted.Render(" · ITS " + m.cfg.ITSContext)
	if m.cfg.ReadOnly {
		its = " " + m.styles.Warn.Render("RO") + its
	}
	if problem := m.fleet.ITSProblem(); problem != "" {
		its += " " + m.styles.Error.Render("○ not answering: "+termtext.Clean(problem)+" (clusters as last seen)")
	}
	return m.styles.Title.Render("wecs") + its + m.styles.Muted.Render(fmt.Sprintf(" · %d/%d WECs connected · %s", connected, members, last))
}

// breadcrumbs is the selection's path: cluster › namespace › kind › name.
func (m Model) breadcrumbs() string {
	row, ok := m.tree.Selected()
	if !ok {
		return ""
	}
	parts := []string{row.Cluster}
	if o := row.Object; o != nil && row.Level == tree.LevelObject {
		ns := o.Namespace
		if ns == "" {
			ns = "(cluster-scoped)"
		}
		parts = append(parts, ns)
		for _, a := range m.objects.Ancestors(o.Cluster, o.UID) {
			parts = append(parts, a.Kind+" "+a.Name)
		}
		parts = append(parts, o.Kind+" "+o.Name)
	} else if row.Level > tree.LevelCluster {
		for _, r := range m.tree.Rows() {
			if r.Level > tree.LevelCluster && r.Level < row.Level && tree.Within(row.Key, r.Key) {
				parts = append(parts, r.Label)
			}
		}
		parts = append(parts, row.Label)
	}
	return m.styles.Accent.Render(termtext.Clean(strings.Join(parts, " › ")))
}

// filterLine lists the active filters, or says how to set one.
func (m Model) filterLine() string {
	f := m.tree.Filter()
	var parts []string
	if len(f.Clusters) > 0 {
		parts = append(parts, "cluster="+strings.Join(f.Clusters, ","))
	}
	if f.Namespace != "" {
		parts = append(parts, "ns="+f.Namespace)
	}
	if len(f.Kinds) > 0 {
		parts = append(parts, "kind="+strings.Join(f.Kinds, ","))
	}
	for _, st := range f.Statuses {
		parts = append(parts, "status="+string(st))
	}
	for _, w := range f.Words {
		parts = append(parts, "status="+w)
	}
	if f.Selector != nil {
		parts = append(parts, "labels="+f.Selector.String())
	}
	if f.DeliveredOnly {
		parts = append(parts, "delivered by KubeStellar")
	}
	if f.ShowSystem {
		parts = append(parts, "system namespaces shown")
	}
	if len(parts) == 0 {
		return m.styles.Muted.Render("no filter (f status, : kind, ns, cluster, label)")
	}
	return m.styles.Warn.Render("filter: "+termtext.Clean(strings.Join(parts, " · "))) + m.styles.Muted.Render("  (x clears)")
}

// body is the help, a fleet view, or the tree and the pane (side by side
// when wide, else whichever has the keys).
func (m Model) body() string {
	switch page := m.page(); {
	case page.kind == modeHelp:
		return m.help.View()
	case page.view != nil:
		return page.view.View()
	case m.paneFocused() && m.listShown():
		return m.pane.View()
	case m.width >= splitWidth:
		treeWidth := m.width * 45 / 100
		left := lipgloss.NewStyle().Width(treeWidth).Render(m.tree.View())
		sep := m.styles.Muted.Render(strings.TrimSuffix(strings.Repeat(" │ \n", max(m.height-4, 1)), "\n"))
		return lipgloss.JoinHorizontal(lipgloss.Top, left, sep, m.pane.View())
	case m.paneFocused():
		return m.pane.View()
	}
	return m.tree.View()
}

// View draws the screen: header, filters (or the view's title),
// breadcrumbs, body, footer.
func (m Model) View() tea.View {
	top := []string{m.header(), m.filterLine(), m.breadcrumbs()}
	switch v := m.viewShown(); {
	case v == &m.views.table:
		top = []string{m.header(), m.viewTitle(v), m.filterLine()}
	case v == &m.views.staged && m.paneFocused():
		top = []string{m.header(), m.viewTitle(v), m.stagedCrumbs()}
	case v != nil:
		top = []string{m.header(), m.viewTitle(v), m.styles.Muted.Render(":clusters · :nodes · :health · :bindings · :staged · :pf · esc back to the tree")}
	}
	bottom := []string{m.footer()}
	bodyLines := strings.Split(m.body(), "\n")
	room := max(m.height-len(top)-len(bottom), 1)
	if len(bodyLines) > room {
		bodyLines = bodyLines[:room]
	}
	for len(bodyLines) < room {
		bodyLines = append(bodyLines, "")
	}
	lines := append(append(top, bodyLines...), bottom...)
	if m.width > 0 {
		for i, l := range lines {
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	if m.cfg.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}
