// Package staged is the staged-workloads view: the objects of the WDS (the
// copies KubeStellar delivers), one row each with its labels and the
// binding policies whose downsync selects it. It reads the WDS when it
// opens and again every few seconds while on screen.
package staged

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/columns"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/status"
	"github.com/wecs-tui/wecs/tui/wdsread"
)

// Source gives the view the fleet's WECs, whose labels the policies
// select (a *kube.Fleet).
type Source interface {
	Members() []kube.Member
}

// noPolicy marks an object no binding policy selects.
const noPolicy = "! no policy"

// Model is the staged-workloads view.
type Model struct {
	src Source
	// wds is nil when wecs was given no WDS.
	wds     wdsread.WDS
	reads   wdsread.Loop
	wdsName string
	read    *bindingpolicy.WDS
	readErr error
	all     []kube.StagedObject
	rows    []kube.StagedObject
	// widths are what each column's cells need, over all rows that pass
	// the search, so that the columns stay put as the list scrolls.
	widths []int
	list   list.Model
	search string
	styles theme.Styles
	// edited is an object whose edit was saved, until the read after it.
	edited *kube.Object
	width  int
}

// New returns the view of the WDS behind the context wdsName; wds may be
// nil (no WDS).
func New(src Source, wds wdsread.WDS, wdsName string, s theme.Styles) Model {
	return Model{src: src, wds: wds, reads: wdsread.New(wds), wdsName: wdsName, styles: s}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetSize sets the area.
func (m *Model) SetSize(width, height int) {
	m.width = width
	m.list.SetHeight(max(height-1, 1))
}

// Show puts the view on screen and reads the WDS.
func (m *Model) Show() tea.Cmd {
	m.search = ""
	m.Refresh()
	return m.reads.Start()
}

// Leave stops the reads as the view leaves the screen.
func (m *Model) Leave() { m.reads.Stop() }

// Update takes the WDS's reads and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if key, ok := msg.(tea.KeyPressMsg); ok {
		return m.keys().Handle(m, key)
	}
	read, next := m.reads.Update(msg)
	if read == nil {
		return next
	}
	m.readErr = read.Err
	if read.Err == nil {
		m.read = &read.WDS
	}
	m.Refresh()
	if edited := m.edited; edited != nil {
		m.edited = nil
		return tea.Batch(status.Note(m.editedNote(*edited)), next)
	}
	return next
}

// Refresh matches the last read against the WECs' labels again and keeps
// the rows that pass the search, and the selected object. It is quick: it
// runs on the update loop and returns no command.
func (m *Model) Refresh() tea.Cmd {
	selected, hadSelection := m.Selected()
	m.all = nil
	if m.read != nil {
		m.all = kube.StagedObjects(m.wdsName, *m.read, kube.BindingClusters(m.src.Members()))
	}
	m.rows = m.rows[:0]
	for _, s := range m.all {
		if m.matches(s) {
			m.rows = append(m.rows, s)
		}
	}
	m.widths = columns.Natural(heads, 0, len(m.rows), func(i int) []string { return cleanCells(m.rows[i]) })
	m.list.SetLen(len(m.rows))
	if hadSelection {
		if i := slices.IndexFunc(m.rows, func(s kube.StagedObject) bool { return s.Object.Ref() == selected.Object.Ref() }); i >= 0 {
			m.list.Select(i)
		}
	}
	return nil
}

// cells are a row's KIND, NAMESPACE, NAME, LABELS and POLICIES.
func cells(s kube.StagedObject) []string {
	policies := strings.Join(s.Policies, ",")
	if len(s.Policies) == 0 {
		policies = noPolicy
	}
	return []string{s.Object.Kind, s.Object.Namespace, s.Object.Name, labelsText(s.Object.Labels), policies}
}

// cleanCells are a row's cells as the view shows them, cleaned of
// escapes.
func cleanCells(s kube.StagedObject) []string {
	texts := cells(s)
	for i, t := range texts {
		texts[i] = termtext.Clean(t)
	}
	return texts
}

// labelsText is the labels as kubectl --show-labels prints them.
func labelsText(labels map[string]string) string {
	if len(labels) == 0 {
		return "<none>"
	}
	parts := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// matches tells whether a row's cells, joined by spaces, hold the search
// (in any case).
func (m *Model) matches(s kube.StagedObject) bool {
	return strings.Contains(strings.ToLower(strings.Join(cells(s), " ")), strings.ToLower(m.search))
}

// Search keeps the rows whose cells hold text ("" shows all).
func (m *Model) Search(text string) {
	m.search = text
	m.Refresh()
}

// SearchStatus says what the "/" text found, or "" without one.
func (m Model) SearchStatus() string {
	if m.search == "" {
		return ""
	}
	return fmt.Sprintf("/%s (%d of %d)", m.search, len(m.rows), len(m.all))
}

// Selected is the object under the cursor.
func (m Model) Selected() (kube.StagedObject, bool) {
	if len(m.rows) == 0 {
		return kube.StagedObject{}, false
	}
	return m.rows[m.list.Cursor()], true
}

// Edited reads the WDS again after an edit of o was saved there, then says
// on the status line where the edit went and where KubeStellar takes o now
// (the edit may have changed which policies select it).
func (m *Model) Edited(o kube.Object) tea.Cmd {
	if m.wds == nil {
		return nil
	}
	m.edited = &o
	return m.reads.Now()
}

// editedNote says where an edit of o went and where KubeStellar takes it,
// as the last read has it.
func (m Model) editedNote(o kube.Object) string {
	note := "edited " + o.Ref() + " in the WDS " + o.Cluster
	i := slices.IndexFunc(m.all, func(s kube.StagedObject) bool { return s.Object.Ref() == o.Ref() })
	switch {
	case i < 0:
		return note
	case len(m.all[i].Policies) == 0:
		return note + "; no binding policy selects it, so KubeStellar delivers it nowhere"
	case len(m.all[i].WECs) == 0:
		return note + "; its policies (" + strings.Join(m.all[i].Policies, ", ") + ") select no WEC now"
	}
	return note + "; KubeStellar will deliver it to " + strings.Join(m.all[i].WECs, ", ") + " (" + strings.Join(m.all[i].Policies, ", ") + ")"
}

// keys are the view's own bindings: moving; the details and the edit are
// the root's.
func (m *Model) keys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Staged workloads", Bindings: keymap.Movement(
		keymap.MoveHelp{Row: "select an object", Page: "a page up / down", Ends: "first / last object", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, nil)}
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

// Title names the WDS and counts its objects and those no policy selects.
func (m Model) Title() string {
	s := m.styles
	title := s.Title.Render("Staged workloads")
	switch {
	case m.wds == nil:
		return title + s.Muted.Render(" · no WDS")
	case m.readErr != nil:
		return title + s.Muted.Render(" · WDS "+m.wdsName+" · ") + s.Error.Render(termtext.Clean(m.readErr.Error()))
	case m.read == nil:
		return title + s.Muted.Render(" · reading WDS "+m.wdsName+" …")
	}
	unselected := 0
	for _, o := range m.all {
		if len(o.Policies) == 0 {
			unselected++
		}
	}
	title += s.Muted.Render(fmt.Sprintf(" · WDS %s · %d objects", m.wdsName, len(m.all)))
	if unselected > 0 {
		return title + s.Warn.Render(fmt.Sprintf(" · %d selected by no policy", unselected))
	}
	return title + s.OK.Render(" · every object selected by a policy")
}

// heads are the columns: NAMESPACE and LABELS go first on a narrow
// terminal.
var heads = []columns.Column{{Name: "KIND", Kept: true}, {Name: "NAMESPACE"}, {Name: "NAME", Kept: true}, {Name: "LABELS"}, {Name: "POLICIES", Kept: true}}

// View draws the table, or says why there is none.
func (m Model) View() string {
	s := m.styles
	switch {
	case m.wds == nil:
		return s.Muted.Render("No WDS: the kubeconfig has no context " + kube.DefaultWDSContext + " and none was given.\n" +
			"Start wecs with --wds-context CONTEXT (a KubeStellar WDS) to see its staged workloads.")
	case m.read == nil && m.readErr != nil:
		return s.Error.Render("Cannot read the WDS "+m.wdsName+": "+termtext.Clean(m.readErr.Error())) + "\n" +
			s.Muted.Render("Read again every few seconds while this view shows; check the context with kubectl --context "+m.wdsName+" get bindingpolicies.")
	case m.read == nil:
		return s.Muted.Render("Reading the WDS " + m.wdsName + " …")
	}
	start, end := m.list.Window()
	shown, widths := columns.Fit(heads, m.widths, max(m.width, 1))
	line := func(texts []string) string {
		parts := make([]string, len(shown))
		for j, i := range shown {
			parts[j] = columns.Pad(texts[i], widths[j])
		}
		return ansi.Truncate(strings.TrimRight(strings.Join(parts, "  "), " "), max(m.width, 1), "…")
	}
	names := make([]string, len(heads))
	for i, h := range heads {
		names[i] = h.Name
	}
	out := []string{s.Accent.Render(line(names))}
	for i := start; i < end; i++ {
		text := line(cleanCells(m.rows[i]))
		switch {
		case i == m.list.Cursor():
			text = s.Selected.Render(text)
		case len(m.rows[i].Policies) == 0:
			text = s.Warn.Render(text)
		}
		out = append(out, text)
	}
	if len(m.rows) == 0 {
		text := "The WDS holds no object of the resources its binding policies name."
		if m.search != "" {
			text = "Nothing matches /" + m.search + " (/ then enter on an empty line drops the search)."
		}
		out = append(out, s.Muted.Render(text))
	}
	return strings.Join(out, "\n")
}
