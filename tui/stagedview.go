package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/pane"
)

// stagedShown reports whether the staged view is on the stack: on screen,
// or under the pane, a line or the help.
func (m *Model) stagedShown() bool { return m.viewShown() == &m.views.staged }

// listShown reports whether a view whose selection the pane shows (a
// table, the staged view) is on the stack.
func (m *Model) listShown() bool { return m.tableShown() || m.stagedShown() }

// stagedTarget is the staged view's selected object, the WDS's copy as
// last read, for the pane.
func (m *Model) stagedTarget() (pane.Target, bool) {
	s, ok := m.views.staged.Selected()
	if !ok {
		return pane.Target{}, false
	}
	return pane.Target{Key: "wds/" + s.Object.Cluster + "/" + string(s.Object.UID), Object: &s.Object, Full: s.Full, Label: s.Object.Name}, true
}

// stagedCrumbs is the staged selection's path: WDS › namespace › kind
// name, marked as the WDS's copy.
func (m Model) stagedCrumbs() string {
	s, ok := m.views.staged.Selected()
	if !ok {
		return ""
	}
	path := s.Object.Cluster + " › "
	if s.Object.Namespace != "" {
		path += s.Object.Namespace + " › "
	}
	return m.styles.Accent.Render(termtext.Clean(path+s.Object.Kind+" "+s.Object.Name)) + m.styles.Warn.Render(" (WDS)")
}

// stagedKeys are the root's bindings on the staged view: the details and
// the edit of the selected object, the WDS's copy.
func stagedKeys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Staged workloads", Footer: []string{"enter", "e"}, Bindings: []keymap.Binding[Model]{
		{Keys: []string{"enter"}, Short: "enter details", Long: "Summary and YAML of the WDS's copy", Disabled: noObject("details", false), Run: do(func(m *Model) tea.Cmd {
			tab := m.pane.Tab()
			if tab != pane.TabYAML {
				tab = pane.TabSummary
			}
			return m.openPane(tab)
		})},
		summaryKey("d/y details"),
		yamlKey(),
		editKey(),
	}}
}

// editStaged edits the WDS's copy of an object in the WDS, once the WDS
// allows it.
func (m *Model) editStaged(o kube.Object) tea.Cmd {
	wds := m.cfg.WDS
	return permitted("edit", func(ctx context.Context) kube.Permission { return wds.Can(ctx, "update", o) }, func(m *Model) tea.Cmd {
		return m.editor.StartIn(wds, o)
	})
}
