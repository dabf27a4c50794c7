// Package tui is wecs's terminal UI: the root bubbletea model that lays out
// the components (one package each under tui/) and routes messages to them.
package tui

import (
	"context"
	"fmt"
	"strings"
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
	"github.com/wecs-tui/wecs/tui/help"
	"github.com/wecs-tui/wecs/tui/input"
	"github.com/wecs-tui/wecs/tui/logview"
	"github.com/wecs-tui/wecs/tui/pane"
	"github.com/wecs-tui/wecs/tui/textview"
	"github.com/wecs-tui/wecs/tui/tree"
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
	Can(ctx context.Context, verb string, o kube.Object, subresource string) kube.Permission
	fleetViews
}

// focus says which part of the screen gets the keys.
type focus int

const (
	focusTree focus = iota
	focusPane
)

// splitWidth is the narrowest terminal that shows tree and pane side by
// side; a narrower one shows whichever has the focus.
const splitWidth = 100

// Model is the root model.
type Model struct {
	cfg           Config
	fleet         Fleet
	objects       *kube.Tree
	styles        theme.Styles
	tree          tree.Model
	pane          pane.Model
	focus         focus
	width, height int
	// searching is true while the user types a search after "/" (or a
	// log filter after "F", when filtering).
	searching, filtering bool
	query                input.Model
	// commanding is true while the ":" line is open.
	commanding bool
	command    command.Model
	showHelp   bool
	help       textview.Model
	// asking is the open confirmation, if any.
	asking *confirm.Model
	editor editor.Model
	// problem is the last error, shown until the next key.
	problem string
	// screens are the fleet views (clusters, nodes, health check).
	screens screens
}

// frameInterval bounds redraws: bursts of changes within it become one.
const frameInterval = 33 * time.Millisecond

// changedMsg says the fleet or its objects changed since the last redraw.
type changedMsg struct{}

// quitMsg ends the program once the user confirmed.
type quitMsg struct{}

// New returns the root model; it starts with the dark theme and switches if
// the terminal reports a light background.
func New(cfg Config, fleet Fleet, objects *kube.Tree) Model {
	styles := theme.For(true)
	return Model{cfg: cfg, fleet: fleet, objects: objects, styles: styles,
		tree: tree.New(fleet, objects, styles), pane: pane.New(fleet, styles, cfg.LogLines), editor: editor.New(fleet),
		screens: newScreens(fleet, objects, styles, cfg.ReadOnly)}
}

// Init asks the terminal for its background colour (never waited for),
// starts listening for changes and shows the first row's details.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.waitForChange())
}

// waitForChange blocks (in its own goroutine, as every tea.Cmd) until the
// fleet or the tree changes, then lets a frame's worth of further changes
// pile up so that a burst costs one redraw.
func (m Model) waitForChange() tea.Cmd {
	fleetChanged, treeChanged := m.fleet.Changed(), m.objects.Changed()
	return func() tea.Msg {
		select {
		case <-fleetChanged:
		case <-treeChanged:
		}
		time.Sleep(frameInterval)
		return changedMsg{}
	}
}

// Update handles keys, resizes, changes and the terminal's background colour.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		return m.paste(msg)
	case quitMsg:
		return m, m.quit()
	case changedMsg:
		m.tree.Rebuild()
		m.screens.refresh()
		return m, tea.Batch(m.waitForChange(), m.showSelected())
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if !m.paneVisible() {
			m.pane.Hide()
		}
		m.layout()
		return m, m.showSelected()
	case tea.BackgroundColorMsg:
		m.styles = theme.For(msg.IsDark())
		m.tree.SetStyles(m.styles)
		m.pane.SetStyles(m.styles)
		m.screens.setStyles(m.styles)
		return m, nil
	}
	if next, cmd, handled := m.actionUpdate(msg); handled {
		return next, tea.Batch(cmd, next.showSelected())
	}
	if m, cmd, ok := m.screenJump(msg); ok {
		return m, cmd
	}
	var editCmd, paneCmd tea.Cmd
	m.editor, editCmd = m.editor.Update(msg)
	m.pane, paneCmd = m.pane.Update(msg)
	return m, tea.Batch(editCmd, paneCmd, m.screens.update(msg))
}

// key routes a key press: to the open line (search or command), to the
// help, to the keys every view shares, then to the focused component.
func (m Model) key(key tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.problem, m.tree.Note = "", ""
	switch {
	case m.asking != nil:
		next, action, done := m.asking.Update(key)
		m.asking = &next
		if done {
			m.asking = nil
		}
		return m, action
	case m.commanding:
		return m.typeCommand(key)
	case m.searching:
		return m.typeSearch(key)
	case m.showHelp:
		if s := key.String(); s == "esc" || s == "?" || s == "q" {
			m.showHelp = false
			return m, nil
		}
		m.help, _ = m.help.Update(key)
		return m, nil
	}
	if m.screens.on != screenTree && key.String() != ":" {
		return m.screenKey(key)
	}
	switch key.String() {
	case "ctrl+c":
		return m, m.quit()
	case "q":
		// q backs out (of the pane, a fleet view, the help); in the tree,
		// with nothing to back out of, it asks before quitting.
		if m.focus == focusPane {
			m.setFocus(focusTree)
			return m, nil
		}
		m.asking = ptr(confirm.Ask("quit wecs?", func() tea.Msg { return quitMsg{} }))
		return m, nil
	case "?":
		m.openHelp()
		return m, nil
	case ":":
		m.commanding, m.command = true, command.New(m.completer())
		return m, nil
	case "/":
		m.searching, m.query = true, input.New()
		return m, nil
	case "r", "ctrl+r":
		m.reconnect()
		return m, nil
	case "d", "1":
		return m, m.openPane(pane.TabSummary)
	case "y", "2":
		return m, m.openPane(pane.TabYAML)
	case "v", "3":
		return m, m.openPane(pane.TabEvents)
	case "L", "4":
		return m, m.openPane(pane.TabLogs)
	case "e":
		return m, m.edit()
	case "ctrl+d":
		return m, m.remove()
	}
	if m.focus == focusPane {
		return m.paneKey(key)
	}
	return m.treeKey(key)
}

func (m *Model) quit() tea.Cmd {
	m.pane.Close()
	return tea.Quit
}

func (m Model) paneKey(key tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch key.String() {
	case "F":
		if m.pane.Tab() == pane.TabLogs {
			m.searching, m.filtering, m.query = true, true, input.New()
			return m, nil
		}
	case "esc", "left", "h":
		if m.pane.SearchStatus() != "" && key.String() == "esc" {
			// The first esc drops the search and the log filter; the next goes back.
			_ = m.pane.Search("")
			_ = m.pane.Filter("")
			return m, nil
		}
		m.setFocus(focusTree)
		return m, nil
	}
	var cmd tea.Cmd
	m.pane, cmd = m.pane.Update(key)
	return m, cmd
}

func (m Model) treeKey(key tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if cmd, ok := m.treeScreenKey(key); ok {
		return m, cmd
	}
	switch key.String() {
	case "esc":
		// Back a level: first drop the search, then climb the tree.
		if m.tree.SearchStatus() != "" {
			m.tree.Search("")
		} else {
			m.tree.ToParent()
		}
		return m, m.showSelected()
	case "s":
		m.cycleStatus()
		return m, m.showSelected()
	case "S":
		f := m.tree.Filter()
		f.ShowSystem = !f.ShowSystem
		m.tree.SetFilter(f)
		return m, m.showSelected()
	case "K":
		f := m.tree.Filter()
		f.DeliveredOnly = !f.DeliveredOnly
		m.tree.SetFilter(f)
		return m, m.showSelected()
	case "x":
		m.tree.SetFilter(kube.Filter{ShowSystem: m.tree.Filter().ShowSystem})
		return m, m.showSelected()
	case "c":
		return m, m.copyName()
	case "Y":
		return m, m.copyYAML()
	case "l":
		// k9s's logs key on what has logs; elsewhere it opens, as →.
		if row, ok := m.tree.Selected(); ok && row.Object != nil && logview.Loggable(*row.Object) {
			return m, m.openPane(pane.TabLogs)
		}
		if row, ok := m.tree.Selected(); ok && !row.HasKids {
			return m, m.openPane(m.pane.Tab())
		}
	case "enter", "right":
		if row, ok := m.tree.Selected(); ok && !row.HasKids {
			return m, m.openPane(m.pane.Tab())
		}
	}
	var cmd tea.Cmd
	m.tree, cmd = m.tree.Update(key)
	return m, tea.Batch(cmd, m.showSelected())
}

// statusCycle is the order the s key steps through.
var statusCycle = []kube.Status{kube.StatusFailed, kube.StatusNotReady, kube.StatusPending, kube.StatusTerminating, kube.StatusRunning, ""}

func (m *Model) cycleStatus() {
	f := m.tree.Filter()
	next := statusCycle[0]
	if len(f.Statuses) == 1 {
		for i, st := range statusCycle {
			if st == f.Statuses[0] {
				next = statusCycle[(i+1)%len(statusCycle)]
			}
		}
	}
	f.Statuses, f.Words = nil, nil
	if next != "" {
		f.Statuses = []kube.Status{next}
	}
	m.tree.SetFilter(f)
}

func (m *Model) reconnect() {
	row, ok := m.tree.Selected()
	if !ok {
		return
	}
	if err := m.fleet.Reconnect(row.Cluster); err != nil {
		m.problem = err.Error()
	} else {
		m.tree.Note = "reconnecting to " + row.Cluster
	}
}

// openPane shows a tab and gives the pane the focus.
func (m *Model) openPane(tab pane.Tab) tea.Cmd {
	m.setFocus(focusPane)
	return tea.Batch(m.showSelected(), m.pane.SetTab(tab))
}

func (m *Model) setFocus(f focus) {
	m.focus = f
	if !m.paneVisible() {
		m.pane.Hide() // nothing watched for a pane nobody sees
	}
	m.layout()
}

// paneVisible reports whether the details pane is on screen.
func (m *Model) paneVisible() bool {
	return m.width >= splitWidth || m.focus == focusPane
}

// showSelected points the pane at the tree's selection, while it shows.
func (m *Model) showSelected() tea.Cmd {
	row, ok := m.tree.Selected()
	if !ok || !m.paneVisible() {
		return nil
	}
	t := pane.Target{Key: row.Key, Member: row.Member, Object: row.Object, Label: row.Label, Counts: row.Counts,
		StaleSince: m.tree.StaleSince(row.Cluster)}
	if row.Level == tree.LevelCluster {
		t.Counts = row.Counts
	}
	if row.Object != nil {
		t.Children = m.objects.Children(row.Cluster, row.Object.UID)
	}
	return m.pane.Select(t)
}

// paste gives pasted text to the open input line, if any.
func (m Model) paste(msg tea.PasteMsg) (tea.Model, tea.Cmd) {
	switch {
	case m.asking != nil:
		next, _, _ := m.asking.Update(msg)
		m.asking = &next
	case m.commanding:
		return m.typeCommand(msg)
	case m.searching:
		return m.typeSearch(msg)
	case m.screens.on != screenTree:
		return m, m.screens.update(msg)
	}
	return m, nil
}

// typeSearch edits the search line; every change searches again, so the
// cursor follows as the user types. Enter keeps the search for n/N, esc
// drops it. In the pane, the search is within the tab's text.
func (m Model) typeSearch(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch key, _ := msg.(tea.KeyPressMsg); key.String() {
	case "enter":
		m.searching = false
		if m.focus == focusPane {
			// Say it again if the pattern as entered is not valid.
			return m.applyPaneSearch(), nil
		}
		return m, nil
	case "esc", "ctrl+c":
		m.searching, m.query = false, input.New()
	default:
		var changed bool
		if m.query, changed = m.query.Update(msg); !changed {
			return m, nil
		}
	}
	if m.focus == focusPane {
		return m.applyPaneSearch(), nil
	}
	m.tree.Search(m.query.Value())
	return m, m.showSelected()
}

// openHelp shows the keys of the focused view, scrollable.
func (m *Model) openHelp() {
	m.showHelp = true
	m.help = textview.Model{}
	m.help.SetSize(m.width, max(m.height-4, 1))
	m.help.SetLines(strings.Split(help.View(m.helpSections(), m.styles, m.width), "\n"))
}

// applyPaneSearch searches (or filters) the pane's tab with the query.
func (m Model) applyPaneSearch() Model {
	apply := m.pane.Search
	if m.filtering {
		apply = m.pane.Filter
	}
	if err := apply(m.query.Value()); err != nil {
		m.problem = "pattern " + m.query.Value() + ": " + err.Error()
	}
	m.filtering = m.filtering && m.searching
	return m
}

// layout gives the tree and the pane their share of the window.
func (m *Model) layout() {
	body := max(m.height-4, 1) // header, filters, breadcrumbs, footer
	m.screens.setSize(m.width, body)
	switch {
	case m.width >= splitWidth:
		treeWidth := m.width * 45 / 100
		m.tree.SetSize(treeWidth, body)
		m.pane.SetSize(m.width-treeWidth-3, body)
	case m.focus == focusPane:
		m.pane.SetSize(m.width, body)
	default:
		m.tree.SetSize(m.width, body)
		m.pane.SetSize(m.width, body)
	}
}

// header says where wecs looks, how much of the fleet answers and when
// anything last changed.
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
		last = "last change " + t.Format("15:04:05")
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
			if r.Level > tree.LevelCluster && r.Level < row.Level && strings.HasPrefix(row.Key, r.Key+"/") {
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
		return m.styles.Muted.Render("no filter (s status, : kind, ns, cluster, label)")
	}
	return m.styles.Warn.Render("filter: "+termtext.Clean(strings.Join(parts, " · "))) + m.styles.Muted.Render("  (x clears)")
}

func (m Model) footer() string {
	switch {
	case m.asking != nil:
		return m.asking.View(m.styles)
	case m.commanding:
		return m.command.View(m.styles)
	case m.searching:
		status := m.tree.SearchStatus()
		if m.focus == focusPane {
			status = m.pane.SearchStatus()
		}
		prompt, after := "/", strings.TrimPrefix(status, "/"+m.query.Value())
		if m.filtering {
			prompt, after = "F ", ""
		}
		return m.styles.Key.Render(prompt) + m.query.View() + m.styles.Muted.Render(after)
	case m.showHelp:
		return m.styles.Muted.Render("esc closes the help")
	case m.problem != "":
		return m.styles.Error.Render(termtext.Clean(m.problem))
	case m.screens.on != screenTree:
		_, _, footer := m.screenParts()
		return footer
	case m.tree.Note != "":
		return m.styles.Warn.Render(m.tree.Note)
	}
	var keys []string
	var status string
	if m.focus == focusPane {
		status = m.pane.SearchStatus()
		keys = []string{"esc back", "tab next tab", "↑↓ scroll", "/ search"}
		if status != "" {
			keys[0] = "esc clear"
			keys = append(keys, "n/N next/previous")
		}
		if hint := m.pane.Hint(); hint != "" {
			keys = append(keys, strings.Split(hint, "  ")...)
		}
		keys = append(keys, "? help")
	} else {
		status = m.tree.SearchStatus()
		// Most needed first: a narrow terminal cuts the end.
		keys = []string{"↑↓ move", "→← open", "/ search", ": cmd", "d/y/v details", "s status", "? help", "q quit"}
		if status != "" {
			keys = append([]string{"n/N next/previous", "esc clear"}, keys...)
		}
	}
	line := help.Footer(keys, m.styles)
	if status != "" {
		line = m.styles.Key.Render(status) + "  " + line
	}
	return line
}

// body is the tree, the pane or both side by side, or the help.
func (m Model) body() string {
	if m.showHelp {
		return m.help.View()
	}
	if m.screens.on != screenTree {
		_, body, _ := m.screenParts()
		return body
	}
	switch {
	case m.width >= splitWidth:
		treeWidth := m.width * 45 / 100
		left := lipgloss.NewStyle().Width(treeWidth).Render(m.tree.View())
		sep := m.styles.Muted.Render(strings.TrimSuffix(strings.Repeat(" │ \n", max(m.height-4, 1)), "\n"))
		return lipgloss.JoinHorizontal(lipgloss.Top, left, sep, m.pane.View())
	case m.focus == focusPane:
		return m.pane.View()
	}
	return m.tree.View()
}

// View draws the screen: header, filters, breadcrumbs, body, footer.
func (m Model) View() tea.View {
	top := []string{m.header(), m.filterLine(), m.breadcrumbs()}
	if m.screens.on != screenTree {
		title, _, _ := m.screenParts()
		top = []string{m.header(), title, m.styles.Muted.Render(":clusters · :nodes · :health · esc back to the tree")}
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
