// Package bindings is the bindings view: KubeStellar's desired versus
// actual state, one row per binding policy, per object it selects and per
// WEC, with the delivery state the work agents report on the ITS and
// every gap marked. It follows the ITS's ManifestWorks live and reads the
// WDS's BindingPolicies again every few seconds while on screen. Enter
// shows a WEC's copy in the tree.
package bindings

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/wdsread"
)

// Source gives the view the ITS's side (a *kube.Fleet).
type Source interface {
	Members() []kube.Member
	Works() []kube.WorkStatus
	WorksListed() (bool, string)
}

// JumpMsg asks for a WEC's copy of a policy's object in the tree.
type JumpMsg struct {
	Object   kube.ObjectRef
	Delivery kube.Delivery
}

// computedMsg brings the bindings computed off the update loop, and
// whether the ManifestWorks they were computed from were listed yet.
type computedMsg struct {
	bindings     []kube.PolicyBinding
	worksListed  bool
	worksProblem string
}

// row is a policy (object nil), an object of it (delivery nil) or one
// WEC's copy of that object.
type row struct {
	policy   *kube.PolicyBinding
	object   *kube.BoundObject
	delivery *kube.Delivery
}

// Model is the bindings view.
type Model struct {
	src Source
	// wds, when set, is read on Show and every readInterval after.
	wds     wdsread.WDS
	reads   wdsread.Loop
	wdsName string
	// policies come from wdsRead once it succeeded.
	wdsRead  *bindingpolicy.WDS
	wdsErr   error
	bindings []kube.PolicyBinding
	// worksListed: the bindings are compared with the ITS's ManifestWorks;
	// until then no copy's state is known, and worksProblem may say why.
	worksListed  bool
	worksProblem string
	// computing: a computation runs; again: a change came meanwhile, so
	// another follows it.
	computing, again bool
	rows             []row
	list             list.Model
	search           string
	styles           theme.Styles
	width            int
	height           int
}

// New returns the view; wds may be nil (wdsName is then ignored).
func New(src Source, wds wdsread.WDS, wdsName string, s theme.Styles) Model {
	return Model{src: src, wds: wds, reads: wdsread.New(wds), wdsName: wdsName, styles: s}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetSize sets the area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.list.SetHeight(max(height-1, 1))
}

// Show puts the view on screen and starts reading the WDS.
func (m *Model) Show() tea.Cmd {
	m.search = ""
	m.setRows()
	return tea.Batch(m.Refresh(), m.reads.Start())
}

// Leave stops the WDS reads as the view leaves the screen.
func (m *Model) Leave() { m.reads.Stop() }

// Update takes the WDS's reads, the computed bindings and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if read, next := m.reads.Update(msg); read != nil {
		m.wdsErr = read.Err
		if read.Err == nil {
			m.wdsRead = &read.WDS
		}
		return tea.Batch(m.Refresh(), next)
	} else if next != nil {
		return next
	}
	switch msg := msg.(type) {
	case computedMsg:
		m.computing = false
		m.bindings, m.worksListed, m.worksProblem = msg.bindings, msg.worksListed, msg.worksProblem
		m.setRows()
		if m.again {
			return m.Refresh()
		}
		return nil
	case tea.KeyPressMsg:
		return m.keys().Handle(m, msg)
	}
	return nil
}

// Refresh compares the policies with the ManifestWorks again, off the
// update loop (a computation over 1,000 WECs takes longer than a key
// press may): changes that come while it runs are taken by one more.
func (m *Model) Refresh() tea.Cmd {
	if m.computing {
		m.again = true
		return nil
	}
	m.computing, m.again = true, false
	src, wds := m.src, m.wdsRead
	return func() tea.Msg {
		listed, problem := src.WorksListed()
		return computedMsg{bindings: kube.ComputeBindings(wds, kube.BindingClusters(src.Members()), src.Works()), worksListed: listed, worksProblem: problem}
	}
}

// setRows lays out the bindings' rows that match the search, keeping the
// selected row.
func (m *Model) setRows() {
	selected := ""
	if r, ok := m.selectedRow(); ok {
		selected = m.rowKey(r)
	}
	m.rows = m.rows[:0]
	for i := range m.bindings {
		m.addPolicy(&m.bindings[i])
	}
	m.list.SetLen(len(m.rows))
	for i, r := range m.rows {
		if m.rowKey(r) == selected {
			m.list.Select(i)
		}
	}
}

// addPolicy adds a policy's rows that match the search: the whole policy
// when its name matches, else its copies that do (under their object).
func (m *Model) addPolicy(p *kube.PolicyBinding) {
	whole := m.matches(p.Name)
	var rows []row
	for i := range p.Objects {
		o := &p.Objects[i]
		var copies []row
		for j := range o.Deliveries {
			d := &o.Deliveries[j]
			// A copy's state and reason are matched only once shown.
			state, reason := string(d.State), d.Reason
			if !m.worksListed {
				state, reason = "", ""
			}
			if whole || m.matches(p.Name, o.ObjectRef.Text(), d.Cluster, state, reason) {
				copies = append(copies, row{policy: p, object: o, delivery: d})
			}
		}
		if len(copies) > 0 || whole {
			rows = append(append(rows, row{policy: p, object: o}), copies...)
		}
	}
	if len(rows) > 0 || whole {
		m.rows = append(append(m.rows, row{policy: p}), rows...)
	}
}

// matches tells whether the texts, joined by spaces, hold the search (in
// any case).
func (m *Model) matches(texts ...string) bool {
	return strings.Contains(strings.ToLower(strings.Join(texts, " ")), strings.ToLower(m.search))
}

// Search keeps the copies whose "policy object WEC state reason" holds
// text, and whole the policies whose name does ("" shows all).
func (m *Model) Search(text string) {
	m.search = text
	m.setRows()
}

// SearchStatus says what the "/" text found, or "" without one.
func (m Model) SearchStatus() string {
	if m.search == "" {
		return ""
	}
	n := 0
	for _, r := range m.rows {
		if r.delivery != nil {
			n++
		}
	}
	return fmt.Sprintf("/%s (%d copies)", m.search, n)
}

func (m Model) rowKey(r row) string {
	key := r.policy.Name
	if r.object != nil {
		key += "/" + r.object.ObjectRef.Text()
	}
	if r.delivery != nil {
		key += "/" + r.delivery.Cluster
	}
	return key
}

func (m Model) selectedRow() (row, bool) {
	if len(m.rows) == 0 {
		return row{}, false
	}
	return m.rows[m.list.Cursor()], true
}

// keys are the view's bindings.
func (m *Model) keys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Bindings", Footer: []string{"down", "enter"}, Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "select a row", Page: "a page up / down", Ends: "first / last row", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, nil),
		keymap.Binding[Model]{Keys: []string{"enter"}, Short: "enter show in tree", Long: "that WEC's copy in the tree (from the ITS when wecs does not read the WEC)",
			Disabled: func(m *Model) string {
				if r, ok := m.selectedRow(); !ok || r.delivery == nil {
					return "show in tree: select a WEC's row first"
				}
				return ""
			}, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
				r, _ := m.selectedRow()
				msg := JumpMsg{Object: r.object.ObjectRef, Delivery: *r.delivery}
				return func() tea.Msg { return msg }
			}},
	)}
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

// Title counts the policies, the WECs they reach and the gaps, and says
// where the policies come from.
func (m Model) Title() string {
	wecs := map[string]bool{}
	gaps := 0
	for _, p := range m.bindings {
		for _, c := range p.Clusters {
			wecs[c] = true
		}
		gaps += p.Gaps()
	}
	title := m.styles.Title.Render("Bindings") + m.styles.Muted.Render(fmt.Sprintf(" · %d policies · %d WECs selected", len(m.bindings), len(wecs)))
	switch {
	case m.worksProblem != "":
		title += m.styles.Error.Render(" · the ITS's ManifestWorks cannot be read: " + termtext.Clean(m.worksProblem))
	case !m.worksListed:
		title += m.styles.Muted.Render(" · listing the ITS's ManifestWorks …")
	case gaps > 0:
		title += m.styles.Warn.Render(fmt.Sprintf(" · %d gaps (!)", gaps))
	default:
		title += m.styles.OK.Render(" · no gaps")
	}
	switch {
	case m.wds == nil:
		title += m.styles.Muted.Render(" · no WDS: policies from the ManifestWorks' labels")
	case m.wdsErr != nil:
		title += m.styles.Error.Render(" · " + termtext.Clean(m.wdsErr.Error()))
	case m.wdsRead == nil:
		title += m.styles.Muted.Render(" · reading WDS " + m.wdsName + " …")
	default:
		title += m.styles.Muted.Render(" · WDS " + m.wdsName)
	}
	return title
}

// glyph pairs each state with a sign that reads without colour.
func (m Model) glyph(s kube.DeliveryState) string {
	switch s {
	case kube.Available:
		return m.styles.OK.Render("✓ " + string(s))
	case kube.NotAvailable:
		return m.styles.Warn.Render("◐ " + string(s))
	case kube.NotSelected:
		return m.styles.Muted.Render("⊘ " + string(s))
	}
	return m.styles.Error.Render("✗ " + string(s))
}

// policyLine is the policy, the WECs it selects and its gaps.
func (m Model) policyLine(p *kube.PolicyBinding) string {
	s := m.styles
	line := s.Title.Render(termtext.Clean(p.Name))
	if len(p.Clusters) == 0 {
		line += s.Warn.Render(" ! selects no WEC")
	} else {
		line += s.Muted.Render(" → " + termtext.Clean(strings.Join(p.Clusters, ", ")))
	}
	if len(p.Objects) == 0 {
		line += s.Warn.Render(" ! selects no object of the WDS")
	}
	if n := p.Gaps(); n > 0 && m.worksListed {
		line += s.Warn.Render(fmt.Sprintf(" · %d gaps", n))
	}
	if !p.FromWDS {
		line += s.Muted.Render(" · from the ManifestWorks")
	}
	return line
}

// copyLine is one WEC's copy: a gap mark, the WEC, the state and why.
func (m Model) copyLine(d *kube.Delivery) string {
	cluster := fmt.Sprintf("%-14s", termtext.Middle(termtext.Clean(d.Cluster), 14))
	if !m.worksListed {
		return "      " + cluster + m.styles.Muted.Render(" … state not known: the ITS's ManifestWorks are not listed yet")
	}
	mark := "  "
	if d.State != kube.Available {
		mark = m.styles.Warn.Render("! ")
	}
	line := "    " + mark + cluster + " " + m.glyph(d.State)
	if ready, ok := d.Feedback["AvailableReplicas"]; ok && d.State == kube.Available {
		line += m.styles.Muted.Render(" " + ready + "/" + d.Feedback["Replicas"])
	}
	if d.Reason != "" {
		line += m.styles.Muted.Render("  " + termtext.Clean(d.Reason))
	}
	return line
}

// View draws the rows on screen.
func (m Model) View() string {
	lines := []string{m.styles.Accent.Render("POLICY → OBJECT → WEC   STATE")}
	if len(m.rows) == 0 {
		text := "No binding policy: the WDS has none and no ManifestWork on the ITS names one."
		switch {
		case m.bindings == nil && m.computing:
			text = "Comparing the policies with the ManifestWorks …"
		case m.search != "":
			text = "Nothing matches /" + m.search + " (/ then enter on an empty line drops the search)."
		case !m.worksListed:
			text = "No binding policy known yet: the ITS's ManifestWorks, which name them, are not listed."
		}
		lines = append(lines, m.styles.Muted.Render(text))
	}
	start, end := m.list.Window()
	for i := start; i < end; i++ {
		r := m.rows[i]
		var line string
		switch {
		case r.delivery != nil:
			line = m.copyLine(r.delivery)
		case r.object != nil:
			line = "  " + termtext.Clean(r.object.ObjectRef.Text())
		default:
			line = m.policyLine(r.policy)
		}
		if i == m.list.Cursor() {
			line = m.styles.Selected.Render(ansi.Strip(line))
		}
		lines = append(lines, ansi.Truncate(line, max(m.width, 1), "…"))
	}
	return strings.Join(lines, "\n")
}
