package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/config"
	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/confirm"
	"github.com/wecs-tui/wecs/tui/editor"
	"github.com/wecs-tui/wecs/tui/tree"
)

// actionTimeout bounds one action's requests.
const actionTimeout = 30 * time.Second

// permittedMsg carries an access review's answer and what to do if allowed.
type permittedMsg struct {
	what string
	perm kube.Permission
	next func(m *Model) tea.Cmd
}

// actionDoneMsg reports an action's outcome.
type actionDoneMsg struct {
	note string
	err  error
}

// selectedObject is the object under the cursor, with a problem when there
// is none or the action cannot change it.
func (m *Model) selectedObject(what string, mutating bool) (kube.Object, bool) {
	row, ok := m.tree.Selected()
	switch {
	case ok && row.Level == tree.LevelNamespace && row.Object == nil:
		m.problem = what + ": the Namespace " + row.Label + " is not listed on " + row.Cluster + " (may you list namespaces there?)"
		return kube.Object{}, false
	case !ok || row.Object == nil:
		m.problem = what + ": select an object first"
		return kube.Object{}, false
	}
	if mutating && m.cfg.ReadOnly {
		m.problem = what + ": " + kube.ErrReadOnly.Error()
		return kube.Object{}, false
	}
	return *row.Object, true
}

// checked asks the WEC whether the user may verb o, then runs next.
func (m *Model) checked(what, verb, subresource string, o kube.Object, next func(m *Model) tea.Cmd) tea.Cmd {
	fleet := m.fleet
	return permitted(what, func(ctx context.Context) kube.Permission { return fleet.Can(ctx, verb, o, subresource) }, next)
}

// permitted asks whether the user may do what, then runs next if so.
func permitted(what string, ask func(context.Context) kube.Permission, next func(m *Model) tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return permittedMsg{what: what, perm: ask(ctx), next: next}
	}
}

// act runs a request and reports it as done.
func act(note string, do func(ctx context.Context) error) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return actionDoneMsg{note: note, err: do(ctx)}
	}
}

// edit opens the selected object in the user's editor.
func (m *Model) edit() tea.Cmd {
	o, ok := m.selectedObject("edit", true)
	if !ok {
		return nil
	}
	return m.checked("edit", "update", "", o, func(m *Model) tea.Cmd { return m.editor.Start(o) })
}

// remove asks, then deletes the selected object; a namespace must be named.
func (m *Model) remove() tea.Cmd {
	o, ok := m.selectedObject("delete", true)
	if !ok {
		return nil
	}
	fleet := m.fleet
	return m.checked("delete", "delete", "", o, func(m *Model) tea.Cmd {
		del := act("deleted "+o.String(), func(ctx context.Context) error { return fleet.Delete(ctx, o) })
		question := "delete " + o.String() + "?"
		if o.Kind == "Namespace" {
			m.asking = ptr(confirm.AskTyped(question+" Everything in it goes too.", o.Name, del))
		} else {
			m.asking = ptr(confirm.Ask(question, del))
		}
		return nil
	})
}

// scale sets the replicas of the selected workload.
func (m *Model) scale(arg string) (tea.Cmd, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("scale %q: give the number of replicas, e.g. :scale 3", arg)
	}
	o, ok := m.selectedObject("scale", true)
	if !ok {
		return nil, nil
	}
	switch o.Kind {
	case "Deployment", "StatefulSet", "ReplicaSet":
	default:
		return nil, fmt.Errorf("scale: a %s has no replicas to scale; select a Deployment or StatefulSet", o.Kind)
	}
	fleet := m.fleet
	return m.checked("scale", "patch", "", o, func(*Model) tea.Cmd {
		return act(fmt.Sprintf("scaled %s to %d", o.String(), n), func(ctx context.Context) error { return fleet.Scale(ctx, o, int32(n)) })
	}), nil
}

// restart asks, then rolls the selected workload out again.
func (m *Model) restart() (tea.Cmd, error) {
	o, ok := m.selectedObject("restart", true)
	if !ok {
		return nil, nil
	}
	switch o.Kind {
	case "Deployment", "StatefulSet", "DaemonSet":
	default:
		return nil, fmt.Errorf("restart: only a Deployment, StatefulSet or DaemonSet rolls out, not a %s", o.Kind)
	}
	fleet := m.fleet
	return m.checked("restart", "patch", "", o, func(m *Model) tea.Cmd {
		m.asking = ptr(confirm.Ask("restart the rollout of "+o.String()+"?",
			act("restarted "+o.String(), func(ctx context.Context) error { return fleet.Restart(ctx, o) })))
		return nil
	}), nil
}

// objectYAML reads an object fresh, as YAML.
func objectYAML(ctx context.Context, fleet Fleet, o kube.Object) ([]byte, error) {
	full, err := fleet.Fetch(ctx, o)
	if err != nil {
		return nil, err
	}
	return termtext.YAML(full.Object)
}

// export writes the selected object's YAML to a file and says where.
func (m *Model) export(path string) tea.Cmd {
	o, ok := m.selectedObject("export", false)
	if !ok {
		return nil
	}
	if path == "" {
		path = filepath.Join(config.StateDir(), "exports", fmt.Sprintf("%s_%s_%s_%s.yaml", o.Cluster, o.Namespace, o.Kind, o.Name))
	}
	fleet := m.fleet
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		text, err := objectYAML(ctx, fleet, o)
		if err == nil {
			err = config.WritePrivate(path, text)
		}
		return actionDoneMsg{note: "exported " + o.String() + " to " + path, err: err}
	}
}

// copyName puts the selected row's name on the clipboard (OSC 52: it works
// over SSH when the terminal allows it).
func (m *Model) copyName() tea.Cmd {
	row, ok := m.tree.Selected()
	if !ok {
		return nil
	}
	m.tree.Note = "copied " + row.Label + " to the clipboard"
	return tea.SetClipboard(row.Label)
}

// copyYAML puts the selected object's YAML on the clipboard; a Secret's
// values are masked, as on screen, unless the YAML tab reveals them.
func (m *Model) copyYAML() tea.Cmd {
	o, ok := m.selectedObject("copy", false)
	if !ok {
		return nil
	}
	fleet, reveal := m.fleet, m.paneVisible() && m.pane.Reveals(o)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		full, err := fleet.Fetch(ctx, o)
		if err != nil {
			return actionDoneMsg{note: "copy", err: err}
		}
		note := "copied the YAML of " + o.String() + " to the clipboard"
		if kube.IsSecret(full) {
			if reveal {
				note += " with its values"
			} else {
				full, note = kube.MaskSecret(full), note+", values masked (x on the YAML tab reveals them)"
			}
		}
		text, err := termtext.YAML(full.Object)
		if err != nil {
			return actionDoneMsg{note: "copy", err: err}
		}
		return clipboardMsg{text: string(text), note: note}
	}
}

type clipboardMsg struct{ text, note string }

// actionUpdate handles the messages of actions and edits.
func (m Model) actionUpdate(msg tea.Msg) (Model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case permittedMsg:
		if !msg.perm.Allowed {
			m.problem = msg.what + " is not available: " + msg.perm.Reason
			return m, nil, true
		}
		return m, msg.next(&m), true
	case actionDoneMsg:
		if msg.err != nil {
			m.problem = msg.note + ": " + msg.err.Error()
		} else {
			m.tree.Note = msg.note
		}
		return m, nil, true
	case clipboardMsg:
		m.tree.Note = msg.note
		return m, tea.SetClipboard(msg.text), true
	case editor.DoneMsg:
		if m.screens.on == screenClusters {
			m.screens.clusters.Report(msg.Note, msg.Failed)
			return m, nil, true
		}
		if msg.Failed {
			m.problem = msg.Note
		} else {
			m.tree.Note = msg.Note
		}
		return m, nil, true
	}
	return m, nil, false
}

func ptr[T any](v T) *T { return &v }
