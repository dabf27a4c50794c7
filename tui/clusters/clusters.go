// Package clusters is the clusters view: every ManagedCluster of the ITS in
// a table (filter by status, sort by any column) over the selected one's
// details, its registration (CSRs and timeline) and its YAML, with the
// accept and label actions.
package clusters

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/confirm"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/look"
	"github.com/wecs-tui/wecs/tui/prompt"
	"github.com/wecs-tui/wecs/tui/status"
	"github.com/wecs-tui/wecs/tui/tabs"
	"github.com/wecs-tui/wecs/tui/textview"
)

// Source is what the view reads and changes (a *kube.Fleet).
type Source interface {
	Members() []kube.Member
	ClusterObject(name string) *unstructured.Unstructured
	ClusterDetail(ctx context.Context, cluster string) (kube.ClusterDetail, error)
	PlanAccept(ctx context.Context, cluster string) (kube.AcceptPlan, error)
	Accept(ctx context.Context, cluster string) (kube.AcceptPlan, error)
	LabelCluster(ctx context.Context, cluster string, changes kube.LabelChanges) error
}

// Requests are the requests of a cluster's pods, for the capacity bars
// (from the tree, not the ITS).
type Requests func(cluster string) (cpu, memory int64, pods int)

// Tab is one of the details' tabs.
type Tab int

// The details' tabs.
const (
	TabDetails Tab = iota
	TabRegistration
	TabYAML
)

var tabNames = []string{"Details", "Registration", "YAML"}

// ShowClusterMsg asks for the tree, on a cluster.
type ShowClusterMsg struct{ Cluster string }

// ConnectMsg asks to watch a cluster now: an Idle one starts, a watched
// one reconnects.
type ConnectMsg struct{ Cluster string }

// EditMsg asks for a cluster's ManagedCluster in the user's editor.
type EditMsg struct{ Cluster string }

// refreshInterval is how often the selected cluster's registration (CSRs,
// lease, the hub's events) is read again while the view is on screen.
const refreshInterval = 3 * time.Second

// opTimeout bounds one read or write on the ITS.
const opTimeout = 20 * time.Second

type detailMsg struct {
	gen     int
	cluster string
	detail  kube.ClusterDetail
	err     error
}

type tickMsg struct{ gen int }

type planMsg struct {
	gen  int
	plan kube.AcceptPlan
	err  error
}

// acceptMsg is a confirmed accept.
type acceptMsg struct {
	gen  int
	plan kube.AcceptPlan
}

type doneMsg struct {
	what string
	err  error
}

// column is one column of the table: its head, its cell and, when the
// text does not sort right, how rows compare by it.
type column struct {
	head  string
	value func(m *kube.Member, now time.Time) string
	less  func(a, b *kube.Member) int
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

var columns = []column{
	{head: "NAME", value: func(m *kube.Member, _ time.Time) string { return m.Name }},
	{head: "STATUS", value: func(m *kube.Member, _ time.Time) string { return string(m.Health) }},
	{head: "ACCEPTED", value: func(m *kube.Member, _ time.Time) string { return yesNo(m.Accepted) }},
	{head: "JOINED", value: func(m *kube.Member, _ time.Time) string { return yesNo(m.Joined) }},
	{head: "AVAILABLE", value: func(m *kube.Member, _ time.Time) string { return orDash(string(m.Available)) }},
	{head: "CONTEXT", value: func(m *kube.Member, _ time.Time) string { return orDash(m.Binding.ReachColumn()) }},
	{head: "CONNECTION", value: func(m *kube.Member, _ time.Time) string {
		if stale := m.Connection.StaleSince; !stale.IsZero() {
			return string(m.Connection.State) + " · " + theme.StaleText(stale)
		}
		return string(m.Connection.State)
	}},
	{head: "VERSION", value: func(m *kube.Member, _ time.Time) string { return orDash(m.Version) }},
	{head: "CPU", value: func(m *kube.Member, _ time.Time) string { return quantities(m.CPU, false) },
		less: func(a, b *kube.Member) int { return a.CPU.Allocatable.Cmp(b.CPU.Allocatable) }},
	{head: "MEMORY", value: func(m *kube.Member, _ time.Time) string { return quantities(m.Memory, true) },
		less: func(a, b *kube.Member) int { return a.Memory.Allocatable.Cmp(b.Memory.Allocatable) }},
	{head: "PODS", value: func(m *kube.Member, _ time.Time) string { return quantities(m.Pods, false) },
		less: func(a, b *kube.Member) int { return a.Pods.Allocatable.Cmp(b.Pods.Allocatable) }},
	{head: "AGE", value: func(m *kube.Member, now time.Time) string { return age(m.Created, now) },
		less: func(a, b *kube.Member) int { return b.Created.Compare(a.Created) }},
	{head: "LABELS", value: func(m *kube.Member, _ time.Time) string { return orDash(labels.Set(m.Labels).String()) }},
}

// hidden says whether columns are scrolled out on either side.
type hidden struct{ left, right bool }

// shownColumns picks the columns that fit the width: NAME always, then the
// others from the scroll position on.
func (m Model) shownColumns(widths []int) ([]int, hidden) {
	shown := []int{0}
	used := widths[0] + 2 // NAME and the gap (where ‹ goes)
	first := 1 + m.hscroll
	last := first
	for j := first; j < len(columns); j++ {
		if len(shown) > 1 && used+widths[j]+2 > m.width-3 { // room for " ›"
			break
		}
		shown = append(shown, j)
		used += widths[j] + 2
		last = j + 1
	}
	return shown, hidden{left: m.hscroll > 0, right: last < len(columns)}
}

// scrollColumns moves the first scrolled column by delta; right stops
// once the last column is on screen.
func (m *Model) scrollColumns(delta int) {
	heads := make([]string, len(columns))
	for i, c := range columns {
		heads[i] = c.head + "↑"
	}
	_, widths := m.cells(heads)
	if _, more := m.shownColumns(widths); delta > 0 && !more.right {
		return
	}
	m.hscroll = max(min(m.hscroll+delta, len(columns)-2), 0)
}

// Model is the clusters view.
type Model struct {
	src      Source
	requests Requests
	styles   theme.Styles
	all      []kube.Member
	rows     []kube.Member
	list     list.Model
	// status filters the rows ("" shows all).
	status kube.Health
	sortBy int
	desc   bool
	// hscroll is how many columns after NAME are scrolled out on the left.
	hscroll   int
	tab       Tab
	details   textview.Model
	detail    kube.ClusterDetail
	detailErr error
	detailOf  string
	gen       int
	visible   bool
	// asking is a line to ask for at once, taken by the app.
	asking *prompt.Msg
	width  int
	height int
	// ReadOnly refuses accept and label edits (the clients would too).
	ReadOnly bool
	// Now is the clock for ages (replaced in tests).
	Now func() time.Time
}

// New returns the view over a fleet.
func New(src Source, requests Requests, s theme.Styles) Model {
	m := Model{src: src, requests: requests, styles: s, Now: time.Now}
	m.details.Match = s.Match
	return m
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) {
	m.styles = s
	m.details.Match = s.Match
	m.render()
}

// SetSize sets the area: the table takes what its rows need, up to half.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.layout()
}

func (m *Model) tableHeight() int {
	return max(min(len(m.rows), m.height/2-2), 1)
}

func (m *Model) layout() {
	m.list.SetHeight(m.tableHeight())
	// Table head, rule and tab bar.
	m.details.SetSize(m.width, max(m.height-m.tableHeight()-3, 1))
	m.render()
}

// Show puts the view on screen filtered to a status ("" for all) and
// starts reading the selected cluster's registration.
func (m *Model) Show(status kube.Health) tea.Cmd {
	m.visible = true
	m.status = status
	m.Refresh()
	m.gen++
	m.detailOf = ""
	return tea.Batch(m.fetch(), m.tick())
}

// Leave stops the view's reads as it leaves the screen.
func (m *Model) Leave() {
	m.visible = false
	m.gen++
}

// Selected is the selected cluster's name ("" when none).
func (m Model) Selected() string {
	if len(m.rows) == 0 {
		return ""
	}
	return m.rows[m.list.Cursor()].Name
}

// Refresh re-reads the members, keeping the selection.
func (m *Model) Refresh() tea.Cmd {
	selected := m.Selected()
	m.all = m.src.Members()
	m.rows = m.rows[:0]
	for _, mem := range m.all {
		if m.status == "" || mem.Health == m.status {
			m.rows = append(m.rows, mem)
		}
	}
	col := columns[m.sortBy]
	slices.SortStableFunc(m.rows, func(a, b kube.Member) int {
		c := 0
		if col.less != nil {
			c = col.less(&a, &b)
		} else {
			c = cmp.Compare(col.value(&a, time.Time{}), col.value(&b, time.Time{}))
		}
		c = cmp.Or(c, cmp.Compare(a.Name, b.Name))
		if m.desc {
			return -c
		}
		return c
	})
	m.list.SetLen(len(m.rows))
	for i, r := range m.rows {
		if r.Name == selected {
			m.list.Select(i)
		}
	}
	m.layout()
	return nil
}

func (m *Model) tick() tea.Cmd {
	gen := m.gen
	return tea.Tick(refreshInterval, func(time.Time) tea.Msg { return tickMsg{gen} })
}

// fetch reads the selected cluster's details from the ITS.
func (m *Model) fetch() tea.Cmd {
	name := m.Selected()
	if name == "" {
		return nil
	}
	if name != m.detailOf {
		m.detail, m.detailErr, m.detailOf = kube.ClusterDetail{}, nil, name
		m.details.Reset()
		m.render()
	}
	src, gen := m.src, m.gen
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		d, err := src.ClusterDetail(ctx, name)
		return detailMsg{gen: gen, cluster: name, detail: d, err: err}
	}
}

// Update handles the view's messages, and its keys when on screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case detailMsg:
		if msg.gen == m.gen && msg.cluster == m.Selected() {
			m.detail, m.detailErr = msg.detail, msg.err
			m.render()
		}
	case tickMsg:
		if msg.gen == m.gen && m.visible {
			return tea.Batch(m.fetch(), m.tick())
		}
	case planMsg:
		switch {
		case msg.gen != m.gen:
			return status.Note("") // asked before the view was left: not asked again
		case msg.err != nil:
			return status.Problem(msg.err.Error())
		case msg.plan.Noop():
			return status.Note(msg.plan.String())
		}
		accept := func() tea.Msg { return acceptMsg{gen: msg.gen, plan: msg.plan} }
		return confirm.Request(confirm.Ask("Accept "+msg.plan.Cluster+"?", accept).Involving(msg.plan.String()).OrElse(status.Note("not accepted")))
	case acceptMsg:
		if msg.gen == m.gen {
			return m.accept(msg.plan)
		}
	case doneMsg:
		if msg.err != nil {
			return tea.Batch(status.Problem(msg.err.Error()), m.fetch())
		}
		return tea.Batch(status.Note(msg.what), m.fetch())
	case tea.KeyPressMsg:
		cmd, _ := m.keys().Dispatch(m, msg)
		return cmd
	}
	return nil
}

// keys are the view's bindings.
func (m *Model) keys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Clusters", Footer: footerKeys, Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "select a cluster", Page: "a page of clusters up / down", Ends: "first / last cluster", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, (*Model).selectionMoved),
		keymap.Binding[Model]{Keys: []string{"s"}, Short: "s status", Long: "status: Pending, Active, Inactive, Unknown, all", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.status = nextStatus(m.status)
			m.Refresh()
			return m.fetch()
		}},
		keymap.Binding[Model]{Keys: []string{"o"}, Label: "o / O", Short: "o/O sort", Long: "sort by the next column / reverse", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.sortBy = (m.sortBy + 1) % len(columns)
			m.Refresh()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"O"}, Label: "o / O", Long: "sort by the next column / reverse", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.desc = !m.desc
			m.Refresh()
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"right", "l", "left", "h"}, Label: "← → h l", Short: "←→ columns", Long: "scroll the columns after NAME (‹ › say more lie beyond)",
			Run: func(m *Model, key tea.KeyPressMsg) tea.Cmd {
				m.scrollColumns(map[bool]int{true: 1, false: -1}[key.String() == "right" || key.String() == "l"])
				return nil
			}},
		keymap.Binding[Model]{Keys: []string{"tab", "shift+tab"}, Label: "tab shift+tab", Short: "tab details", Long: "Details, Registration, YAML", Run: tabKey},
		keymap.Binding[Model]{Keys: []string{"]", "["}, Label: "] [", Long: "as tab, shift+tab", Run: tabKey},
		keymap.Binding[Model]{Keys: []string{"space"}, Long: "scroll the details down a page", Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.details.Move(m.details.PageSize())
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"enter"}, Short: "enter in tree", Long: "the cluster in the tree", Disabled: noCluster("the tree"), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			name := m.Selected()
			return func() tea.Msg { return ShowClusterMsg{Cluster: name} }
		}},
		keymap.Binding[Model]{Keys: []string{"c"}, Short: "c connect", Long: "watch the cluster now (an Idle one starts, a watched one reconnects)", Disabled: noCluster("connect"), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			name := m.Selected()
			return func() tea.Msg { return ConnectMsg{Cluster: name} }
		}},
		keymap.Binding[Model]{Keys: []string{"a"}, Short: "a accept", Long: "accept a pending cluster (asks first)", Disabled: changing("accept"), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			return m.planAccept()
		}},
		keymap.Binding[Model]{Keys: []string{"L"}, Short: "L labels", Long: "edit labels (key=value, key-)", Disabled: changing("labels"), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			name, src := m.Selected(), m.src
			m.asking = &prompt.Msg{Label: "labels of " + name + ": ", Hint: "key=value sets, key- removes · enter applies · esc cancels",
				Submit: func(line string) tea.Cmd { return applyLabels(src, name, line) }}
			return nil
		}},
		keymap.Binding[Model]{Keys: []string{"e"}, Short: "e edit", Long: "edit the ManagedCluster in $KUBE_EDITOR / $EDITOR / vi", Disabled: changing("edit"), Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			name := m.Selected()
			return func() tea.Msg { return EditMsg{Cluster: name} }
		}},
	)}
}

// footerKeys are the keys the footer names, the most needed first.
var footerKeys = []string{"down", "s", "o", "right", "tab", "a", "L", "e", "enter"}

// TakeAsk returns the line the last key asks for, once.
func (m *Model) TakeAsk() *prompt.Msg {
	a := m.asking
	m.asking = nil
	return a
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

func tabKey(m *Model, key tea.KeyPressMsg) tea.Cmd {
	dir := 1
	if k := key.String(); k == "shift+tab" || k == "[" {
		dir = -1
	}
	m.setTab(Tab(tabs.Step(int(m.tab), dir, len(tabNames))))
	return nil
}

// selectionMoved redraws, and reads the details when another cluster is
// selected.
func (m *Model) selectionMoved() tea.Cmd {
	m.render()
	if m.Selected() != m.detailOf {
		return m.fetch()
	}
	return nil
}

// noCluster disables a key while no cluster is selected.
func noCluster(what string) func(m *Model) string {
	return func(m *Model) string {
		if m.Selected() == "" {
			return what + ": no cluster is selected"
		}
		return ""
	}
}

// changing disables a key that changes a cluster while wecs is read-only
// or no cluster is selected.
func changing(what string) func(m *Model) string {
	return func(m *Model) string {
		if m.ReadOnly {
			return "accept, labels and edit: " + kube.ErrReadOnly.Error()
		}
		return noCluster(what)(m)
	}
}

func (m *Model) setTab(t Tab) {
	m.tab = t
	m.details.Reset()
	m.render()
}

// statusCycle is the order the s key steps through.
var statusCycle = []kube.Health{"", kube.HealthPending, kube.HealthActive, kube.HealthInactive, kube.HealthUnknown}

func nextStatus(h kube.Health) kube.Health {
	i := slices.Index(statusCycle, h)
	return statusCycle[(i+1)%len(statusCycle)]
}

// planAccept reads what accepting the selected cluster involves; the
// answer asks for a confirmation.
func (m *Model) planAccept() tea.Cmd {
	name, src, gen := m.Selected(), m.src, m.gen
	return tea.Batch(status.Busy("reading what accepting "+name+" involves…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		plan, err := src.PlanAccept(ctx, name)
		return planMsg{gen: gen, plan: plan, err: err}
	})
}

// accept accepts a cluster once confirmed.
func (m *Model) accept(plan kube.AcceptPlan) tea.Cmd {
	// Every status, so that the cluster stays in view as it turns Active.
	m.status = ""
	m.Refresh()
	src := m.src
	return tea.Batch(status.Busy("accepting "+plan.Cluster+"…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		done, err := src.Accept(ctx, plan.Cluster)
		return doneMsg{what: "accepted " + plan.Cluster + " (" + done.String() + "); its agent joins now", err: err}
	})
}

// applyLabels checks a label line here (the reserved keys say why at
// once) and sends the change to the ITS.
func applyLabels(src Source, name, line string) tea.Cmd {
	changes, err := kube.ParseLabelChanges(line)
	if err != nil {
		return status.Problem(err.Error())
	}
	for _, k := range append(slices.Collect(maps.Keys(changes.Set)), changes.Remove...) {
		if why := kube.ReservedLabel(k); why != "" {
			return status.Problem("not changed: " + why)
		}
	}
	return tea.Batch(status.Busy("labelling "+name+"…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		return doneMsg{what: "labelled " + name + ": " + line, err: src.LabelCluster(ctx, name, changes)}
	})
}

// Title is the line under the header: the view, its filter and its sort.
func (m Model) Title() string {
	filter := "all statuses (s filters)"
	if m.status != "" {
		filter = "status=" + string(m.status)
	}
	order := "↑"
	if m.desc {
		order = "↓"
	}
	return m.styles.Title.Render("Clusters") + m.styles.Muted.Render(fmt.Sprintf(" · %d of %d · %s · sorted by %s %s",
		len(m.rows), len(m.all), filter, columns[m.sortBy].head, order))
}

// cells are the head and the rows in the window, cleaned, and the width
// of each column.
func (m Model) cells(heads []string) ([][]string, []int) {
	cells, now := [][]string{heads}, m.Now()
	start, end := m.list.Window()
	for i := start; i < end; i++ {
		row := make([]string, len(columns))
		for j, c := range columns {
			row[j] = termtext.Clean(c.value(&m.rows[i], now))
		}
		cells = append(cells, row)
	}
	widths := make([]int, len(columns))
	for _, row := range cells {
		for j, c := range row {
			widths[j] = max(widths[j], ansi.StringWidth(c))
		}
	}
	return cells, widths
}

// View draws the table and the selected cluster's details.
func (m Model) View() string {
	s := m.styles
	heads := make([]string, len(columns))
	for i, c := range columns {
		heads[i] = c.head
		if i == m.sortBy {
			heads[i] += map[bool]string{false: "↑", true: "↓"}[m.desc]
		}
	}
	cells, widths := m.cells(heads)
	start, _ := m.list.Window()
	shown, more := m.shownColumns(widths)
	var out []string
	for r, row := range cells {
		selected := r > 0 && start+r-1 == m.list.Cursor()
		parts := make([]string, 0, len(shown)+2)
		for _, j := range shown {
			c := row[j] + strings.Repeat(" ", widths[j]-ansi.StringWidth(row[j]))
			if j == 1 && r > 0 && !selected {
				c = look.Health(s, m.rows[start+r-1].Health).Render(c)
			}
			parts = append(parts, c)
		}
		// ‹ takes the gap after NAME in the head, › the end: the rows keep
		// their places.
		gap := "  "
		if r == 0 && more.left {
			gap = " ‹"
		}
		if r == 0 && more.right {
			parts = append(parts, "›")
		}
		line := parts[0]
		if len(parts) > 1 {
			line += gap + strings.Join(parts[1:], "  ")
		}
		line = ansi.Truncate(line, max(m.width, 1), "…")
		switch {
		case r == 0:
			line = s.Accent.Render(line)
		case selected:
			line = s.Selected.Render(line)
		}
		out = append(out, line)
	}
	if len(m.rows) == 0 {
		out = append(out, s.Muted.Render(fmt.Sprintf("No cluster is %s (s changes the filter).", m.status)))
	}
	for len(out) < m.tableHeight()+1 {
		out = append(out, "")
	}
	out = append(out, tabs.Bar(tabNames, int(m.tab), s)+" "+s.Muted.Render(strings.Repeat("─", max(m.width-30, 1))), m.details.View())
	return strings.Join(out, "\n")
}
