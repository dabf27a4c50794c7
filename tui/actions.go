package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/internal/config"
	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/confirm"
	"github.com/wecs-tui/wecs/tui/editor"
	"github.com/wecs-tui/wecs/tui/status"
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

// unread says why wecs does not read a WEC whose objects the tree shows
// from the ITS.
func (m *Model) unread(cluster string) string {
	members := m.fleet.Members()
	if i := slices.IndexFunc(members, func(mem kube.Member) bool { return mem.Name == cluster }); i >= 0 && members[i].Connection.State == kube.Idle {
		return cluster + " is not watched yet (enter on its row in the tree connects it)"
	}
	return cluster + " cannot be reached"
}

// objectFor is the object under the cursor, or why what cannot act on it.
// While a table or the staged view shows, that is its selected row; of the
// WDS's copy of an object, only its details and its edit are shown here.
func (m *Model) objectFor(what string, mutating bool) (kube.Object, string) {
	var obj *kube.Object
	if m.stagedShown() {
		if s, ok := m.views.staged.Selected(); ok {
			obj = &s.Object
		} else if m.cfg.WDS == nil {
			return kube.Object{}, what + ": there is no WDS; start wecs with --wds-context CONTEXT"
		}
	} else if m.tableShown() {
		if o, ok := m.views.table.Selected(); ok {
			obj = &o
		}
	} else if row, ok := m.tree.Selected(); ok {
		if row.Level == tree.LevelNamespace && row.Object == nil {
			return kube.Object{}, what + ": the Namespace " + row.Label + " is not listed on " + row.Cluster + " (may you list namespaces there?)"
		}
		obj = row.Object
	}
	switch {
	case obj == nil:
		return kube.Object{}, what + ": select an object first"
	case obj.FromITS:
		return kube.Object{}, what + ": " + m.unread(obj.Cluster) + "; this object is known only from its ManifestWork on the ITS"
	case obj.FromWDS && what != "edit" && what != "details":
		return kube.Object{}, what + ": this is the WDS's copy, which wecs only shows and edits (kubectl --context " + obj.Cluster + " does the rest)"
	case mutating && m.cfg.ReadOnly:
		return kube.Object{}, what + ": " + kube.ErrReadOnly.Error()
	}
	return *obj, ""
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
	o, why := m.objectFor("edit", true)
	if why != "" {
		return status.Problem(why)
	}
	if o.FromWDS {
		return m.editStaged(o)
	}
	return m.checked("edit", "update", "", o, func(m *Model) tea.Cmd { return m.editor.Start(o) })
}

// remove asks, then deletes the selected object; a namespace must be named.
func (m *Model) remove() tea.Cmd {
	o, why := m.objectFor("delete", true)
	if why != "" {
		return status.Problem(why)
	}
	fleet := m.fleet
	return m.checked("delete", "delete", "", o, func(m *Model) tea.Cmd {
		del := act("deleted "+o.String(), func(ctx context.Context) error { return fleet.Delete(ctx, o) })
		question := "delete " + o.String() + "?"
		if o.Kind == "Namespace" {
			m.ask(confirm.AskTyped(question+" Everything in it goes too.", o.Name, del))
		} else {
			m.ask(confirm.Ask(question, del))
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
	o, why := m.objectFor("scale", true)
	if why != "" {
		return nil, errors.New(why)
	}
	if !o.Scalable() {
		return nil, fmt.Errorf("scale: a %s has no replicas to scale; select a Deployment or StatefulSet", o.Kind)
	}
	fleet := m.fleet
	return m.checked("scale", "patch", "", o, func(*Model) tea.Cmd {
		return act(fmt.Sprintf("scaled %s to %d", o.String(), n), func(ctx context.Context) error { return fleet.Scale(ctx, o, int32(n)) })
	}), nil
}

// restart asks, then rolls the selected workload out again.
func (m *Model) restart() (tea.Cmd, error) {
	o, why := m.objectFor("restart", true)
	if why != "" {
		return nil, errors.New(why)
	}
	if !o.Restartable() {
		return nil, fmt.Errorf("restart: only a Deployment, StatefulSet or DaemonSet rolls out, not a %s", o.Kind)
	}
	fleet := m.fleet
	return m.checked("restart", "patch", "", o, func(m *Model) tea.Cmd {
		m.ask(confirm.Ask("restart the rollout of "+o.String()+"?",
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
	o, why := m.objectFor("export", false)
	if why != "" {
		return status.Problem(why)
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
	_, name, _ := m.selection()
	return tea.Batch(status.Note("copied "+name+" to the clipboard"), tea.SetClipboard(name))
}

// copyYAML puts the selected object's YAML on the clipboard; a Secret's
// values are masked, as on screen, unless the YAML tab reveals them.
func (m *Model) copyYAML() tea.Cmd {
	o, why := m.objectFor("copy", false)
	if why != "" {
		return status.Problem(why)
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

// actionResult handles the outcomes of actions and edits.
func (m *Model) actionResult(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case stepMsg:
		if msg.err != nil {
			return status.Problem(msg.what + ": " + termtext.Clean(msg.err.Error())), true
		}
		return msg.next(m), true
	case permittedMsg:
		if !msg.perm.Allowed {
			return status.Problem(msg.what + " is not available: " + msg.perm.Reason), true
		}
		return msg.next(m), true
	case actionDoneMsg:
		if msg.err != nil {
			return status.Problem(msg.note + ": " + msg.err.Error()), true
		}
		return status.Note(msg.note), true
	case clipboardMsg:
		return tea.Batch(status.Note(msg.note), tea.SetClipboard(msg.text)), true
	case editor.DoneMsg:
		switch {
		case msg.Failed:
			return status.Problem(msg.Note), true
		case msg.Saved && msg.Object.FromWDS:
			return m.views.staged.Edited(msg.Object), true
		}
		return status.Note(msg.Note), true
	}
	return nil, false
}
