// Package pane is the detail pane: tabs Summary, YAML and Events for the
// selected cluster or object, kept live by a watch on that one object.
package pane

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/events"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/logview"
	"github.com/wecs-tui/wecs/tui/summary"
	"github.com/wecs-tui/wecs/tui/tabs"
	"github.com/wecs-tui/wecs/tui/textview"
	"github.com/wecs-tui/wecs/tui/yamlview"
)

// Tab is one of the pane's tabs.
type Tab int

// The tabs, in the order they are shown.
const (
	TabSummary Tab = iota
	TabYAML
	TabEvents
	TabLogs
)

var tabNames = []string{"Summary", "YAML", "Events", "Logs"}

func (t Tab) String() string { return tabNames[t] }

// Watcher gives the pane its data (a *kube.Fleet).
type Watcher interface {
	logview.Streamer
	WatchDetail(ctx context.Context, o kube.Object, related bool) (<-chan kube.Detail, error)
	ClustersWith(o kube.Object) []string
	BindingPolicy(cluster, appliedWork string) string
	ClusterObject(name string) *unstructured.Unstructured
}

// Target is what the pane shows: a cluster (Member), an object, or a group
// of the tree (Label and Counts).
type Target struct {
	// Key identifies the target across updates (the tree row's key).
	Key    string
	Member *kube.Member
	Object *kube.Object
	// Full is the object as already read, shown as it is instead of
	// watched (a WDS's copy, which its view reads again now and then).
	Full     *unstructured.Unstructured
	Children []kube.Object
	Label    string
	Counts   kube.Counts
	// StaleSince is when the target's cluster lost its connection, if its
	// data is kept from before that.
	StaleSince time.Time
}

// watchDelay lets the cursor move on before a watch starts: scrolling
// through a list must not open one watch per row.
const watchDelay = 150 * time.Millisecond

type startMsg struct{ seq int }

type detailMsg struct {
	seq    int
	detail kube.Detail
	ch     <-chan kube.Detail
}

// Model is the pane.
type Model struct {
	watcher Watcher
	styles  theme.Styles
	tab     Tab
	target  Target
	detail  kube.Detail
	loading bool
	err     error
	seq     int
	cancel  context.CancelFunc
	// asJSON shows JSON instead of YAML; reveal shows a Secret's values
	// (for the selected object only, never remembered); related adds the
	// events of what an object owns.
	asJSON, reveal, related bool
	// hideLineNumbers hides the YAML tab's line numbers.
	hideLineNumbers bool
	view            textview.Model
	logs            logview.Model
	spin            spinner.Model
	width, height   int
	// Now is the clock for ages (replaced in tests).
	Now func() time.Time
}

// New returns an empty pane whose Logs tab keeps up to logLines lines.
func New(w Watcher, s theme.Styles, logLines int) Model {
	m := Model{watcher: w, styles: s, spin: spinner.New(spinner.WithSpinner(spinner.Dot)), Now: time.Now, logs: logview.New(w, s, logLines)}
	m.view.Match = s.Match
	return m
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) {
	m.styles = s
	m.view.Match = s.Match
	m.logs.SetStyles(s)
	m.render()
}

// SetSize sets the pane's area, tab bar included.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.view.SetSize(width, max(height-2, 1))
	m.logs.SetSize(width, max(height-3, 1))
	m.render()
}

// Tab is the tab on show.
func (m Model) Tab() Tab { return m.tab }

// Reveals reports whether the YAML tab shows o's Secret values (x).
func (m Model) Reveals(o kube.Object) bool {
	t := m.target.Object
	return m.reveal && t != nil && t.Cluster == o.Cluster && t.UID == o.UID
}

// SetTab shows a tab; the Logs tab starts streaming the target's logs.
func (m *Model) SetTab(t Tab) tea.Cmd {
	if t == m.tab {
		return nil
	}
	m.tab = t
	m.view.Reset()
	m.render()
	return m.openLogs()
}

// openLogs streams the target's logs while the Logs tab is on show.
func (m *Model) openLogs() tea.Cmd {
	if m.tab != TabLogs {
		m.logs.Close()
		return nil
	}
	if o := m.target.Object; m.target.watchable() && o.RunsPods() {
		return m.logs.Open(*o, m.watcher.ClustersWith(*o))
	}
	return nil
}

// watchable says whether the target's object is watched on its WEC: not
// one known only from the ITS (wecs does not read its WEC), nor one read
// already (a WDS's copy), which is shown as it is.
func (t Target) watchable() bool {
	return t.Object != nil && !t.Object.FromITS && t.Full == nil
}

// Select shows a target. The same target (by key) is refreshed in place;
// a new one starts, after a short delay, a watch on its object.
func (m *Model) Select(t Target) tea.Cmd {
	if t.Key == m.target.Key {
		m.target = t
		if t.Full != nil {
			m.detail.Object = t.Full
		}
		m.render()
		return nil
	}
	m.stop()
	m.logs.Close()
	m.target, m.detail, m.err, m.reveal = t, kube.Detail{Object: t.Full}, nil, false
	m.view.Reset()
	m.render()
	if !t.watchable() {
		return nil
	}
	m.loading = true
	seq := m.seq
	return tea.Batch(tea.Tick(watchDelay, func(time.Time) tea.Msg { return startMsg{seq} }), m.spin.Tick)
}

// Close stops the watch and the logs, if any.
func (m *Model) Close() {
	m.stop()
	m.logs.Close()
}

// Hide closes the pane and forgets its target, so that the next Select
// starts afresh: for when the pane leaves the screen.
func (m *Model) Hide() {
	m.Close()
	m.target = Target{}
}

func (m *Model) stop() {
	m.seq++
	m.loading = false
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

func (m *Model) start() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := m.watcher.WatchDetail(ctx, *m.target.Object, m.related)
	if err != nil {
		cancel()
		m.loading, m.err = false, err
		m.render()
		return nil
	}
	m.cancel = cancel
	return listen(m.seq, ch)
}

func listen(seq int, ch <-chan kube.Detail) tea.Cmd {
	return func() tea.Msg {
		d, ok := <-ch
		if !ok {
			return nil
		}
		return detailMsg{seq: seq, detail: d, ch: ch}
	}
}

// Update handles the pane's messages, and its keys when it has the focus.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case startMsg:
		if msg.seq == m.seq && m.target.Object != nil {
			return tea.Batch(m.start(), m.openLogs())
		}
	case detailMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.detail, m.loading = msg.detail, false
		m.render()
		return listen(msg.seq, msg.ch)
	case spinner.TickMsg:
		if !m.loading {
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		m.render()
		return cmd
	case tea.KeyPressMsg:
		if cmd, ok := m.keys().Dispatch(m, msg); ok {
			return cmd
		}
		if m.tab == TabLogs {
			return m.logs.Update(msg)
		}
		return nil
	}
	return m.logs.Update(msg)
}

// keys are the pane's own bindings; the Logs tab adds the log view's.
func (m *Model) keys() keymap.Map[Model] {
	onText := func(m *Model) bool { return m.tab != TabLogs }
	on := func(t Tab) func(m *Model) bool { return func(m *Model) bool { return m.tab == t } }
	namespaced := func(m *Model) bool {
		return m.tab == TabEvents && m.target.watchable() && m.target.Object.Namespace != ""
	}
	textMoves := keymap.Movement(keymap.MoveHelp{Row: "scroll", Page: "page", Ends: "top / bottom", Short: "↑↓ scroll"},
		func(m *Model) keymap.Cursor { return &m.view }, nil)
	for i := range textMoves {
		textMoves[i].Active = onText
	}
	b := []keymap.Binding[Model]{
		{Keys: []string{"tab", "]"}, Label: "tab / ]", Short: "tab next tab", Long: "next tab", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			return m.SetTab(Tab(tabs.Step(int(m.tab), 1, len(tabNames))))
		}},
		{Keys: []string{"shift+tab", "["}, Label: "shift+tab / [", Long: "previous tab", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			return m.SetTab(Tab(tabs.Step(int(m.tab), -1, len(tabNames))))
		}},
	}
	b = append(b, textMoves...)
	b = append(b,
		keymap.Binding[Model]{Keys: []string{"space"}, Long: "page down", Active: onText, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.view.Move(m.view.PageSize())
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"n", "N"}, Label: "n / N", Short: "n/N next/previous", Long: "next / previous match", Active: onText, Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
			m.view.NextMatch(map[bool]int{true: 1, false: -1}[key.String() == "n"])
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"J"}, Short: "J json/yaml", Long: "JSON or YAML", Active: on(TabYAML), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.asJSON = !m.asJSON
			m.render()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"#"}, Short: "# line numbers", Long: "line numbers", Active: on(TabYAML), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.hideLineNumbers = !m.hideLineNumbers
			m.render()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"x"}, Short: "x reveal/hide secret", Long: "reveal or hide a Secret's values", Active: func(m *Model) bool {
			return m.tab == TabYAML && yamlview.Masked(m.detail.Object)
		}, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.reveal = !m.reveal
			m.render()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"p"}, Short: "p include owned objects' events", Long: "include owned objects' events", Active: func(m *Model) bool {
			return namespaced(m) && !m.related
		}, Run: toggleRelated},
		keymap.Binding[Model]{Keys: []string{"p"}, Short: "p own events only", Long: "own events only", Active: func(m *Model) bool {
			return namespaced(m) && m.related
		}, Run: toggleRelated},
	)
	return keymap.Map[Model]{Title: "Details pane", Bindings: b}
}

func toggleRelated(m *Model, _ tea.KeyPressMsg) tea.Cmd {
	m.related = !m.related
	m.stop()
	m.loading = true
	return tea.Batch(m.start(), m.spin.Tick)
}

// Keys are the bindings of the tab on show: the pane's, then the Logs
// tab's there.
func (m *Model) Keys() []keymap.Group {
	g := m.keys().Describe(m)
	switch m.tab {
	case TabYAML:
		g.Footer = []string{"J", "#", "x"}
	case TabEvents:
		g.Footer = []string{"p"}
	case TabLogs:
		return append([]keymap.Group{g}, m.logs.Keys()...)
	}
	return []keymap.Group{g}
}

// Title names the tab on show.
func (m *Model) Title() string { return tabNames[m.tab] }

// Search searches the tab's text ("" clears); in the Logs tab the query
// may be a /regex/ or !inverted.
func (m *Model) Search(query string) error {
	if m.tab == TabLogs {
		return m.logs.Search(query)
	}
	m.view.Search(query)
	return nil
}

// Filter keeps only the log lines that pass a pattern (Logs tab).
func (m *Model) Filter(pattern string) error { return m.logs.Filter(pattern) }

// SearchStatus is the search's "/query (i of n)", or "".
func (m Model) SearchStatus() string {
	if m.tab == TabLogs {
		return m.logs.SearchStatus()
	}
	return m.view.SearchStatus()
}

// render rebuilds the lines of the tab on show.
func (m *Model) render() {
	if m.width == 0 {
		return
	}
	var lines []string
	now := m.Now()
	switch m.tab {
	case TabSummary:
		lines = summary.Lines(m.summaryInput(now), m.styles, m.width)
	case TabYAML:
		lines = m.yamlLines()
	case TabEvents:
		lines = m.eventLines(now)
	}
	if problem := m.problem(); problem != "" {
		lines = append([]string{m.styles.Error.Render(problem), ""}, lines...)
	}
	if o := m.target.Object; o != nil && o.FromWDS {
		lines = append([]string{m.styles.Warn.Render(termtext.Clean("The WDS " + o.Cluster + "'s copy, which KubeStellar delivers to the WECs its binding policies select (e edits it in the WDS).")), ""}, lines...)
	}
	m.view.LineNumbers = m.tab == TabYAML && !m.hideLineNumbers
	m.view.SetLines(lines)
}

func (m *Model) problem() string {
	switch {
	case m.target.Object != nil && m.target.Object.FromITS:
		return "Known only from the ITS: wecs does not read " + m.target.Object.Cluster + ", and its ManifestWork " +
			termtext.Clean(m.target.Object.DeliveredBy) + " reports this object."
	case m.err != nil:
		return "Cannot read it: " + m.err.Error() + " (r reconnects the cluster)"
	case m.detail.Gone:
		return "This object was deleted on its cluster."
	case m.detail.Err != nil:
		return "Watch interrupted: " + m.detail.Err.Error() + " (retrying)"
	}
	return ""
}

func (m *Model) summaryInput(now time.Time) summary.Input {
	t := m.target
	in := summary.Input{Member: t.Member, Object: t.Object, Full: m.detail.Object, Children: t.Children, Label: t.Label, Counts: t.Counts, StaleSince: t.StaleSince, Now: now}
	if t.Object != nil && t.Object.DeliveredBy != "" {
		in.BindingPolicy = m.watcher.BindingPolicy(t.Object.Cluster, t.Object.DeliveredBy)
	}
	return in
}

func (m *Model) loadingLine() string {
	if m.loading {
		return m.spin.View() + " reading from " + m.target.Object.Cluster + "…"
	}
	return ""
}

func (m *Model) yamlLines() []string {
	obj := m.detail.Object
	switch {
	case m.target.Member != nil:
		obj = m.watcher.ClusterObject(m.target.Member.Name)
	case m.target.Object == nil:
		return []string{m.styles.Muted.Render("Select a cluster or an object to see its YAML.")}
	case obj == nil:
		return []string{m.loadingLine()}
	}
	if obj == nil {
		return []string{m.styles.Muted.Render("The ITS no longer lists this cluster.")}
	}
	lines, err := yamlview.Lines(obj, m.asJSON, m.reveal, m.styles)
	if err != nil {
		return []string{m.styles.Error.Render("Cannot show it: " + err.Error())}
	}
	return lines
}

func (m *Model) eventLines(now time.Time) []string {
	switch {
	case m.target.Object == nil:
		return []string{m.styles.Muted.Render("Select an object to see its events.")}
	case m.target.Object.FromWDS:
		return []string{m.styles.Muted.Render("No events: the WDS only stages objects; the WECs' copies, in the tree, have theirs.")}
	case m.loading:
		return []string{m.loadingLine()}
	}
	return events.Lines(m.detail.Events, m.related, now, m.styles, m.width)
}

// View draws the tab bar and the tab.
func (m Model) View() string {
	bar := tabs.Bar(tabNames, int(m.tab), m.styles)
	if m.loading && m.tab == TabSummary {
		bar += " " + m.spin.View()
	}
	rule := m.styles.Muted.Render(strings.Repeat("─", max(m.width, 1)))
	if m.tab == TabLogs {
		return bar + "\n" + rule + "\n" + m.logsView()
	}
	return bar + "\n" + rule + "\n" + m.view.View()
}

func (m Model) logsView() string {
	o := m.target.Object
	switch {
	case o == nil || !o.RunsPods():
		return m.styles.Muted.Render("No pods here: logs are for pods and the workloads that run them; select one.")
	case o.FromWDS:
		return m.styles.Muted.Render("No logs: the WDS only stages objects; the WECs' copies, in the tree, run the pods.")
	case o.FromITS:
		return m.styles.Muted.Render(termtext.Clean("No logs: wecs does not read " + o.Cluster + "; this object is known only from the ITS."))
	}
	if _, ok := m.logs.Showing(); !ok {
		return m.spin.View() + " opening the logs…"
	}
	return ansi.Truncate(m.styles.Muted.Render(m.logs.Title()), max(m.width, 1), "…") + "\n" + m.logs.View()
}
