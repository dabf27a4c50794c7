package tui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/bindings"
	"github.com/wecs-tui/wecs/tui/clusters"
	"github.com/wecs-tui/wecs/tui/command"
	"github.com/wecs-tui/wecs/tui/confirm"
	"github.com/wecs-tui/wecs/tui/forwards"
	"github.com/wecs-tui/wecs/tui/health"
	"github.com/wecs-tui/wecs/tui/help"
	"github.com/wecs-tui/wecs/tui/input"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/logview"
	"github.com/wecs-tui/wecs/tui/nodes"
	"github.com/wecs-tui/wecs/tui/pane"
	"github.com/wecs-tui/wecs/tui/staged"
	"github.com/wecs-tui/wecs/tui/status"
	"github.com/wecs-tui/wecs/tui/table"
	"github.com/wecs-tui/wecs/tui/textview"
)

// component is what the root asks of a part that takes the body of the
// screen and the keys: the pane and the fleet views (and the tables to
// come).
type component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// Keys are its bindings as they stand (the footer and the help).
	Keys() []keymap.Group
	Title() string
}

// The parts that meet the component contract.
var (
	_ component = (*pane.Model)(nil)
	_ component = (*logview.Model)(nil)
	_ fleetView = (*clusters.Model)(nil)
	_ fleetView = (*nodes.Model)(nil)
	_ fleetView = (*health.Model)(nil)
	_ fleetView = (*bindings.Model)(nil)
	_ fleetView = (*staged.Model)(nil)
	_ fleetView = (*forwards.Model)(nil)
	_ fleetView = (*table.Model)(nil)
)

// modeKind says what has the keyboard.
type modeKind int

const (
	modeTree modeKind = iota
	modePane
	modeView
	modeTable
	modeHelp
	modeSearch
	modeFilter
	modePrompt
	modeCommand
	modeConfirm
)

// mode is one entry of the root's stack; a fleet view's carries it.
type mode struct {
	kind modeKind
	view fleetView
}

// line reports whether the mode is a line typed on the footer.
func (md mode) line() bool { return md.kind >= modeSearch }

// component is the part that gets the mode's keys first, if any.
func (md mode) component(m *Model) component {
	switch {
	case md.view != nil:
		return md.view
	case md.kind == modePane:
		return &m.pane
	}
	return nil
}

func (m *Model) top() mode { return m.modes[len(m.modes)-1] }

// page is the topmost mode that is not a line: what the body shows.
func (m *Model) page() mode {
	for i := len(m.modes) - 1; i > 0; i-- {
		if !m.modes[i].line() {
			return m.modes[i]
		}
	}
	return m.modes[0]
}

// viewShown is the fleet view on the stack, if any: on screen, or under
// the help.
func (m *Model) viewShown() fleetView {
	for i := len(m.modes) - 1; i > 0; i-- {
		if v := m.modes[i].view; v != nil {
			return v
		}
	}
	return nil
}

// paneFocused reports whether the pane has the keys, or had them under a
// line or the help.
func (m *Model) paneFocused() bool {
	return slices.ContainsFunc(m.modes, func(md mode) bool { return md.kind == modePane })
}

// push puts a mode on top.
func (m *Model) push(md mode) {
	m.modes = append(m.modes, md)
	m.layout()
}

// pop takes the top mode off (never the tree); a fleet view stops its
// reads as it goes.
func (m *Model) pop() {
	if len(m.modes) == 1 {
		return
	}
	if v, ok := m.top().view.(leaver); ok {
		v.Leave()
	}
	m.modes = m.modes[:len(m.modes)-1]
	m.layout()
}

// popToTree takes modes off down to the tree.
func (m *Model) popToTree() {
	for len(m.modes) > 1 {
		m.pop()
	}
}

// keymaps are the root's bindings of the mode on top, in the order they
// are tried.
func (m *Model) keymaps() []keymap.Map[Model] {
	switch m.top().kind {
	case modeTree:
		return []keymap.Map[Model]{treeKeys(), rowKeys(), sharedKeys(), actionKeys(), podKeys()}
	case modePane:
		return []keymap.Map[Model]{paneKeys(), sharedKeys(), actionKeys()}
	case modeView:
		if m.stagedShown() {
			return []keymap.Map[Model]{viewKeys(), stagedKeys()}
		}
		return []keymap.Map[Model]{viewKeys()}
	case modeTable:
		return []keymap.Map[Model]{tableKeys(), rowKeys(), sharedKeys(), actionKeys(), podKeys()}
	case modeHelp:
		return []keymap.Map[Model]{helpKeys()}
	case modeSearch, modeFilter, modePrompt:
		return []keymap.Map[Model]{lineKeys()}
	}
	return nil // the command line and a question take every key
}

// groups are the bindings of the mode on top as they stand: its
// component's, then the root's.
func (m *Model) groups() []keymap.Group {
	var out []keymap.Group
	if s := m.top().component(m); s != nil {
		out = append(out, s.Keys()...)
	}
	for _, km := range m.keymaps() {
		g := km.Describe(m)
		if n := len(out); n > 0 && out[n-1].Title == g.Title {
			// The root's bindings of a component's title join its section.
			out[n-1].Entries = append(out[n-1].Entries, g.Entries...)
			continue
		}
		out = append(out, g)
	}
	return out
}

func hasKey(groups []keymap.Group, key string) bool {
	return slices.ContainsFunc(groups, func(g keymap.Group) bool { return g.Has(key) })
}

// do is a binding's handler that needs no key.
func do(handle func(m *Model) tea.Cmd) func(*Model, tea.KeyPressMsg) tea.Cmd {
	return func(m *Model, _ tea.KeyPressMsg) tea.Cmd { return handle(m) }
}

func openTab(tab pane.Tab) func(*Model, tea.KeyPressMsg) tea.Cmd {
	return do(func(m *Model) tea.Cmd { return m.openPane(tab) })
}

// filterKey changes the tree's filter.
func filterKey(change func(f *kube.Filter)) func(*Model, tea.KeyPressMsg) tea.Cmd {
	return do(func(m *Model) tea.Cmd {
		f := m.tree.Filter()
		change(&f)
		m.tree.SetFilter(f)
		m.filtersChanged()
		return m.showSelected()
	})
}

// noRow disables a key while nothing is selected.
func noRow(what string) func(*Model) string {
	return func(m *Model) string {
		switch _, _, ok := m.selection(); {
		case m.stagedShown():
			return what + ": not for the WDS's staged objects"
		case !ok:
			return what + ": select a row first"
		}
		return ""
	}
}

// noObject disables a key while no object it may act on is selected.
func noObject(what string, mutating bool) func(*Model) string {
	return func(m *Model) string {
		_, why := m.objectFor(what, mutating)
		return why
	}
}

func searching(m *Model) bool { return m.tree.SearchStatus() != "" }

// searcher is a fleet view whose rows "/" narrows.
type searcher interface {
	Search(text string)
	SearchStatus() string
}

// searchKey starts a search of the tree, the pane's tab, or the rows of
// the table or view on screen.
func searchKey() keymap.Binding[Model] {
	return keymap.Binding[Model]{Keys: []string{"/"}, Short: "/ search", Long: "search (the tree, the tab's text, or a table's or view's rows)",
		Active: func(m *Model) bool {
			_, ok := m.top().view.(searcher)
			return ok || m.top().view == nil
		}, Run: do(func(m *Model) tea.Cmd {
			m.query = input.New()
			m.push(mode{kind: modeSearch})
			return nil
		})}
}

// summaryKey and yamlKey open the pane's tabs on the selection, in the
// tree, a table or the staged view.
func summaryKey(short string) keymap.Binding[Model] {
	return keymap.Binding[Model]{Keys: []string{"d", "1"}, Short: short, Long: "Summary tab", Run: openTab(pane.TabSummary)}
}

func yamlKey() keymap.Binding[Model] {
	return keymap.Binding[Model]{Keys: []string{"y", "2"}, Long: "YAML tab", Run: openTab(pane.TabYAML)}
}

// editKey edits the selected object: on its WEC, or in the WDS for a
// staged one.
func editKey() keymap.Binding[Model] {
	return keymap.Binding[Model]{Keys: []string{"e"}, Short: "e edit", Long: "edit in $KUBE_EDITOR / $EDITOR / vi", Disabled: noObject("edit", true), Run: do((*Model).edit)}
}

func sharedKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Everywhere", Bindings: []keymap.Binding[Model]{
		summaryKey("d/y/v details"),
		yamlKey(),
		{Keys: []string{"v", "3"}, Long: "Events tab", Run: openTab(pane.TabEvents)},
		{Keys: []string{"L", "4"}, Long: "Logs tab", Run: openTab(pane.TabLogs)},
		searchKey(),
		{Keys: []string{":"}, Short: ": cmd", Long: "command", Run: do((*Model).openCommand)},
		{Keys: []string{"r", "ctrl+r"}, Long: "reconnect the selected cluster", Disabled: noRow("reconnect"), Run: do((*Model).reconnect)},
		{Keys: []string{"?"}, Short: "? help", Long: "this help", Run: do((*Model).openHelp)},
		{Keys: []string{"ctrl+c"}, Long: "quit", Run: do((*Model).quit)},
	}}
}

// podKeys reach into the selected pod (or a service's pod), in the tree
// and in a table.
func podKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Pods", Bindings: []keymap.Binding[Model]{
		{Keys: []string{"s"}, Short: "s shell", Long: "shell in a container of the pod (:exec CMD runs a command)", Disabled: noPod("shell", "Pod"), Run: do((*Model).shell)},
		{Keys: []string{"F"}, Long: "port-forward to the pod or service (:pf lists the forwards)", Disabled: noPod("port-forward", "Pod", "Service"), Run: do((*Model).askForward)},
	}}
}

func actionKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Actions", Bindings: []keymap.Binding[Model]{
		editKey(),
		{Keys: []string{"ctrl+d"}, Long: "delete (asks first)", Disabled: noObject("delete", true), Run: do((*Model).remove)},
	}}
}

// rowKeys act on the selected row, in the tree and in a table.
func rowKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Tree and table", Bindings: []keymap.Binding[Model]{
		{Keys: []string{"l"}, Short: "l logs", Long: "logs of a pod or workload (elsewhere: as enter)", Disabled: noRow("logs"), Run: do((*Model).logsOrOpen)},
		{Keys: []string{"c"}, Long: "copy the name (OSC 52)", Disabled: noRow("copy"), Run: do((*Model).copyName)},
		{Keys: []string{"Y"}, Long: "copy the YAML (OSC 52)", Disabled: noObject("copy", false), Run: do((*Model).copyYAML)},
		{Keys: []string{"x"}, Long: "clear every filter", Run: filterKey(func(f *kube.Filter) { *f = kube.Filter{ShowSystem: f.ShowSystem} })},
	}}
}

// logsOrOpen is k9s's l: the logs of what runs pods; elsewhere the tree
// opens the row and a table shows the row's details.
func (m *Model) logsOrOpen() tea.Cmd {
	if o, why := m.objectFor("logs", false); why == "" && o.RunsPods() {
		return m.openPane(pane.TabLogs)
	}
	if m.tableShown() {
		return m.openPane(m.pane.Tab())
	}
	return m.openRow()
}

// treeKeys are the fleet tree's own bindings.
func treeKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Fleet tree", Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "move", Page: "page", Ends: "top / bottom", Short: "↑↓ move"},
		func(m *Model) keymap.Cursor { return &m.tree }, (*Model).showSelected),
		keymap.Binding[Model]{Keys: []string{"right", "enter"}, Label: "→ enter", Short: "→← open", Long: "open (a leaf: its details)", Run: do((*Model).openRow)},
		keymap.Binding[Model]{Keys: []string{"left", "h"}, Label: "← h", Long: "close, then up", Run: do(func(m *Model) tea.Cmd {
			m.tree.Close()
			return m.showSelected()
		})},
		keymap.Binding[Model]{Keys: []string{"esc"}, Short: "esc clear", Long: "drop the search", Active: searching, Run: do(func(m *Model) tea.Cmd {
			m.tree.Search("")
			return m.showSelected()
		})},
		keymap.Binding[Model]{Keys: []string{"esc"}, Long: "up a level", Active: func(m *Model) bool { return !searching(m) }, Run: do(func(m *Model) tea.Cmd {
			m.tree.ToParent()
			return m.showSelected()
		})},
		keymap.Binding[Model]{Keys: []string{"+", "-"}, Label: "+ / -", Long: "open all / close all", Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
			if key.String() == "+" {
				m.tree.OpenAll()
			} else {
				m.tree.CloseAll()
			}
			return m.showSelected()
		}},
		keymap.Binding[Model]{Keys: []string{"tab"}, Long: "next cluster", Run: do(func(m *Model) tea.Cmd {
			m.tree.NextCluster()
			return m.showSelected()
		})},
		keymap.Binding[Model]{Keys: []string{"n", "N"}, Label: "n / N", Short: "n/N next/previous", Long: "next / previous match", Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
			m.tree.NextMatch(map[bool]int{true: 1, false: -1}[key.String() == "n"])
			return m.showSelected()
		}},
		keymap.Binding[Model]{Keys: []string{"f"}, Short: "f status", Long: "status: Failed, Pending, Running, any", Run: do(func(m *Model) tea.Cmd {
			m.cycleStatus()
			return m.showSelected()
		})},
		keymap.Binding[Model]{Keys: []string{"S"}, Long: "system namespaces", Run: filterKey(func(f *kube.Filter) { f.ShowSystem = !f.ShowSystem })},
		keymap.Binding[Model]{Keys: []string{"K"}, Long: "delivered by KubeStellar only", Run: filterKey(func(f *kube.Filter) { f.DeliveredOnly = !f.DeliveredOnly })},
		keymap.Binding[Model]{Keys: []string{"C"}, Long: "clusters: status, registration, accept", Run: do(func(m *Model) tea.Cmd { return m.showClusters("") })},
		keymap.Binding[Model]{Keys: []string{"U"}, Long: "node capacity of the cluster", Run: do(func(m *Model) tea.Cmd { return m.showNodes("") })},
		keymap.Binding[Model]{Keys: []string{"H"}, Long: "fleet health check", Run: do((*Model).showHealth)},
		keymap.Binding[Model]{Keys: []string{"B"}, Long: "bindings: each policy's objects on each WEC, and the gaps", Run: do((*Model).showBindings)},
		keymap.Binding[Model]{Keys: []string{"W"}, Long: "staged workloads of the WDS and the policies that select them", Run: do((*Model).showStaged)},
		keymap.Binding[Model]{Keys: []string{"q"}, Short: "q quit", Long: "quit (asks first; ctrl+c, :q do not)", Run: do(func(m *Model) tea.Cmd {
			m.ask(confirm.Ask("quit wecs?", func() tea.Msg { return quitMsg{} }))
			return nil
		})},
	)}
}

// paneKeys are the root's bindings while the pane has the keys.
func paneKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Details pane", Bindings: []keymap.Binding[Model]{
		{Keys: []string{"esc"}, Short: "esc clear", Long: "drop the search and the log filter", Active: paneSearching, Run: do(func(m *Model) tea.Cmd {
			_ = m.pane.Search("")
			_ = m.pane.Filter("")
			return nil
		})},
		{Keys: []string{"esc"}, Short: "esc back", Long: "back to the tree or the view under the pane", Active: func(m *Model) bool { return !paneSearching(m) }, Run: do(backFromPane)},
		{Keys: []string{"left", "h", "q"}, Label: "← h q", Long: "back to the tree or the view under the pane", Run: do(backFromPane)},
		{Keys: []string{"F"}, Short: "F filter", Long: "filter: only matching lines", Active: func(m *Model) bool { return m.pane.Tab() == pane.TabLogs }, Run: do(func(m *Model) tea.Cmd {
			m.query = input.New()
			m.push(mode{kind: modeFilter})
			return nil
		})},
	}}
}

func paneSearching(m *Model) bool { return m.pane.SearchStatus() != "" }

// backFromPane takes the pane off: back to the table or the tree under it.
func backFromPane(m *Model) tea.Cmd {
	for m.paneFocused() {
		m.pop()
	}
	return nil
}

// viewKeys are the root's bindings while a fleet view is on screen.
func viewKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Everywhere", Bindings: []keymap.Binding[Model]{
		{Keys: []string{":"}, Long: "command", Run: do((*Model).openCommand)},
		searchKey(),
		{Keys: []string{"esc", "q"}, Label: "esc / q", Short: "esc tree", Long: "back to the tree", Run: do(func(m *Model) tea.Cmd {
			m.popToTree()
			return m.showSelected()
		})},
		{Keys: []string{"?"}, Short: "? help", Long: "this help", Run: do((*Model).openHelp)},
		{Keys: []string{"ctrl+c"}, Long: "quit", Run: do((*Model).quit)},
	}}
}

// helpKeys scroll and close the help.
func helpKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Help", Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "scroll", Page: "page", Ends: "top / bottom"},
		func(m *Model) keymap.Cursor { return &m.help }, nil),
		keymap.Binding[Model]{Keys: []string{"esc", "?", "q"}, Label: "esc ? q", Short: "esc closes the help", Long: "close the help", Run: do(func(m *Model) tea.Cmd {
			m.pop()
			return nil
		})},
		keymap.Binding[Model]{Keys: []string{"ctrl+c"}, Long: "quit", Run: do((*Model).quit)},
	)}
}

// lineKeys end a line typed on the footer: a search, a log filter or a
// component's prompt.
func lineKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Line", Bindings: []keymap.Binding[Model]{
		{Keys: []string{"enter"}, Long: "done", Run: do((*Model).lineDone)},
		{Keys: []string{"esc", "ctrl+c"}, Long: "cancel", Run: do((*Model).lineCancelled)},
	}}
}

// openRow opens the selected row (an Idle WEC's connects it); a leaf
// shows its details.
func (m *Model) openRow() tea.Cmd {
	if row, ok := m.tree.Selected(); ok && !row.HasKids && !row.Idle() {
		return m.openPane(m.pane.Tab())
	}
	m.tree.Open()
	return m.showSelected()
}

func (m *Model) openCommand() tea.Cmd {
	m.command = command.New(m.completer())
	m.push(mode{kind: modeCommand})
	return nil
}

// openHelp shows the bindings of the mode on top, scrollable.
func (m *Model) openHelp() tea.Cmd {
	groups := append(m.groups(), commandHelp())
	m.help = textview.Model{}
	m.help.SetSize(m.width, max(m.height-4, 1))
	m.help.SetLines(strings.Split(help.View(groups, m.styles, m.width), "\n"))
	m.push(mode{kind: modeHelp})
	return nil
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

// typed gives a key or a paste no binding took to the line on top.
func (m *Model) typed(msg tea.Msg) tea.Cmd {
	switch m.top().kind {
	case modeCommand:
		var line string
		var done bool
		if m.command, line, done = m.command.Update(msg); done {
			m.pop()
			return m.runLine(line)
		}
	case modeConfirm:
		next, action, done := m.question.Update(msg)
		m.question = next
		if done {
			m.pop()
		}
		return action
	case modeSearch, modeFilter, modePrompt:
		if kind := m.top().kind; changed(&m.query, msg) && kind != modePrompt {
			return m.applySearch(kind)
		}
	}
	return nil
}

// changed edits a line with a key or a paste and reports whether its text
// changed.
func changed(line *input.Model, msg tea.Msg) bool {
	var ok bool
	*line, ok = line.Update(msg)
	return ok
}

// applySearch searches (a log filter: filters) as the user types: the
// tree, or the pane's tab when the pane has the keys.
func (m *Model) applySearch(kind modeKind) tea.Cmd {
	if s, ok := m.viewShown().(searcher); ok && !m.paneFocused() {
		s.Search(m.query.Value())
		return nil
	}
	if !m.paneFocused() {
		m.tree.Search(m.query.Value())
		return m.showSelected()
	}
	apply := m.pane.Search
	if kind == modeFilter {
		apply = m.pane.Filter
	}
	if err := apply(m.query.Value()); err != nil {
		return status.Problem("pattern " + m.query.Value() + ": " + err.Error())
	}
	return nil
}

// lineDone ends a line with enter: a search stays for n/N, a prompt's
// text goes to whoever asked.
func (m *Model) lineDone() tea.Cmd {
	kind := m.top().kind
	m.pop()
	if kind == modePrompt {
		return m.prompt.Submit(m.query.Value())
	}
	if m.paneFocused() {
		return m.applySearch(kind) // says again if the pattern is not valid
	}
	return nil
}

// lineCancelled drops a line with esc; a search is dropped too.
func (m *Model) lineCancelled() tea.Cmd {
	kind := m.top().kind
	m.pop()
	if kind == modePrompt {
		return nil
	}
	m.query = input.New()
	return m.applySearch(kind)
}

// footer is the line on top, else the status, else the keys of the mode.
func (m Model) footer() string {
	switch top := m.top(); top.kind {
	case modeConfirm:
		return m.question.View(m.styles)
	case modeCommand:
		return m.command.View(m.styles)
	case modePrompt:
		return m.styles.Key.Render(m.prompt.Label) + m.query.View() + m.styles.Muted.Render("  "+m.prompt.Hint)
	case modeSearch:
		found := m.tree.SearchStatus()
		if s, ok := m.viewShown().(searcher); ok {
			found = s.SearchStatus()
		}
		if m.paneFocused() {
			found = m.pane.SearchStatus()
		}
		return m.styles.Key.Render("/") + m.query.View() + m.styles.Muted.Render(strings.TrimPrefix(found, "/"+m.query.Value()))
	case modeFilter:
		return m.styles.Key.Render("F ") + m.query.View()
	}
	if m.status.Text() != "" {
		return m.status.View(m.styles)
	}
	groups := m.groups()
	var order []string
	var searchStatus string
	switch top := m.top(); {
	case top.kind == modeTree:
		if searchStatus = m.tree.SearchStatus(); searchStatus != "" {
			order = []string{"n", "esc"}
		}
		order = append(order, "down", "right", "/", ":", "d", "f", "?", "q")
	case top.kind == modePane:
		order = []string{"esc", "tab", "down", "/"}
		if searchStatus = m.pane.SearchStatus(); searchStatus != "" {
			order = append(order, "n")
		}
		for _, g := range groups {
			order = append(order, g.Footer...)
		}
		order = append(order, "?")
	case top.kind == modeTable:
		searchStatus = m.views.table.SearchStatus()
		order = []string{"esc", "down", "enter", "l", "/", ":", "d", ">", "?"}
	case top.view != nil:
		order = []string{"esc", "/"}
		if s, ok := top.view.(searcher); ok {
			searchStatus = s.SearchStatus()
		}
		for _, g := range groups {
			order = append(order, g.Footer...)
		}
		order = append(order, "?")
	default:
		order = []string{"esc"}
	}
	line := help.Footer(keymap.Footer(groups, order...), m.styles)
	if searchStatus != "" {
		line = m.styles.Key.Render(searchStatus) + "  " + line
	}
	return line
}
