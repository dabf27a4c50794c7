// Package editor is the edit flow of `kubectl edit`, in the TUI: the
// object, read fresh, goes to $KUBE_EDITOR, $EDITOR or vi (the UI suspends
// meanwhile); a changed text is sent back; on any error the editor opens
// again with the user's text and the error as comments on top, until the
// user gives up: quits without saving, or saves the text that was just
// refused again (as kubectl edit does). Nothing the user typed is lost: a
// text that could not be saved stays in its file.
package editor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/tui/handover"
)

// Store reads and writes objects (a *kube.Fleet).
type Store interface {
	EditableText(ctx context.Context, o kube.Object, asJSON bool) ([]byte, error)
	// Update saves edited; original is the text as read, before the edit.
	Update(ctx context.Context, o kube.Object, original, edited []byte) error
}

// requestTimeout bounds each read and write.
const requestTimeout = 30 * time.Second

// session is one object being edited.
type session struct {
	object kube.Object
	store  Store
	path   string
	// original is the object's text as read; shown is the file's content
	// as the editor last opened it.
	original, shown []byte
	// refused is the last text the store refused (without the error
	// comments), refusal why; nil before any refusal.
	refused []byte
	refusal error
}

type fetchedMsg struct {
	s    *session
	text []byte
	err  error
}

type editedMsg struct {
	s   *session
	err error
}

type savedMsg struct {
	s    *session
	text []byte
	err  error
}

// DoneMsg ends an edit, with what happened in words.
type DoneMsg struct {
	Object kube.Object
	// Note says what happened (saved, unchanged, kept in a file …).
	Note string
	// Failed is set when the edit did not reach the cluster; Saved, when
	// it changed the object there.
	Failed, Saved bool
}

// Model runs edits, one at a time.
type Model struct {
	store  Store
	active *session
	// Run opens the editor on a file and reports when it exits (tests
	// replace it; the default suspends the UI with tea.ExecProcess).
	Run func(path string, done func(error) tea.Msg) tea.Cmd
	// AsJSON edits JSON instead of YAML.
	AsJSON bool
}

// New returns the edit flow over a store.
func New(store Store) Model {
	return Model{store: store, Run: runEditor}
}

// Editing reports whether an edit is under way.
func (m Model) Editing() bool { return m.active != nil }

// Command is the editor the user asked for: $KUBE_EDITOR, $EDITOR, or vi.
func Command() string {
	for _, env := range []string{"KUBE_EDITOR", "EDITOR"} {
		if e := strings.TrimSpace(os.Getenv(env)); e != "" {
			return e
		}
	}
	return "vi"
}

// runEditor runs the editor through the shell, so that "code --wait" works;
// the shell replaces itself with the editor, so that a signal reaches it.
func runEditor(path string, done func(error) tea.Msg) tea.Cmd {
	cmd := exec.Command("sh", "-c", "exec "+Command()+` "$1"`, "sh", path)
	return handover.Exec(&process{cmd: cmd, path: path}, done)
}

// process is an editor process that a signal to wecs can end (see End).
type process struct {
	cmd  *exec.Cmd
	path string
}

func (p *process) SetStdin(r io.Reader)  { p.cmd.Stdin = r }
func (p *process) SetStderr(w io.Writer) { p.cmd.Stderr = w }

func (p *process) SetStdout(w io.Writer) { p.cmd.Stdout = handover.Terminal(w) }

// Run starts the editor, notes it as the one open, and waits for it.
func (p *process) Run() error {
	open.Lock()
	err := p.cmd.Start()
	if err == nil {
		open.editor = p
	}
	open.Unlock()
	if err != nil {
		return err
	}
	err = p.cmd.Wait()
	open.Lock()
	open.editor = nil
	open.Unlock()
	return err
}

// open is the editor process running now, if any.
var open struct {
	sync.Mutex
	editor *process
}

// End passes sig to the editor running now, if any, so that it ends with
// wecs, and returns the file it edits ("" when none is open).
func End(sig os.Signal) string {
	open.Lock()
	defer open.Unlock()
	if open.editor == nil {
		return ""
	}
	_ = open.editor.cmd.Process.Signal(sig)
	return open.editor.path
}

// Start edits o, read from and written to the model's store.
func (m *Model) Start(o kube.Object) tea.Cmd { return m.StartIn(m.store, o) }

// StartIn edits o, read from and written to store (the ITS's
// ManagedClusters, say).
func (m *Model) StartIn(store Store, o kube.Object) tea.Cmd {
	if m.active != nil {
		return func() tea.Msg {
			return DoneMsg{Object: o, Note: "finish the edit of " + m.active.object.Name + " first", Failed: true}
		}
	}
	s := &session{object: o, store: store}
	m.active = s
	asJSON := m.AsJSON
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		text, err := store.EditableText(ctx, o, asJSON)
		return fetchedMsg{s: s, text: text, err: err}
	}
}

// Update drives the flow.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case fetchedMsg:
		if msg.err != nil {
			return m.finish(msg.s, "cannot read "+msg.s.object.String()+": "+msg.err.Error(), true)
		}
		ext := ".yaml"
		if m.AsJSON {
			ext = ".json"
		}
		dir, err := os.MkdirTemp("", "wecs-edit-")
		if err != nil {
			return m.finish(msg.s, "cannot make a file to edit in: "+err.Error(), true)
		}
		msg.s.original = msg.text
		msg.s.path = filepath.Join(dir, fmt.Sprintf("%s-%s-%s%s", msg.s.object.Cluster, strings.ToLower(msg.s.object.Kind), msg.s.object.Name, ext))
		return m, m.open(msg.s, msg.text)
	case editedMsg:
		return m.edited(msg)
	case savedMsg:
		if msg.err == nil {
			_ = os.RemoveAll(filepath.Dir(msg.s.path))
			return m.end(msg.s, DoneMsg{Note: "saved " + msg.s.object.String(), Saved: true})
		}
		msg.s.refused, msg.s.refusal = msg.text, msg.err
		return m, m.open(msg.s, withError(msg.text, msg.err))
	}
	return m, nil
}

// open writes text to the session's file and runs the editor on it.
func (m Model) open(s *session, text []byte) tea.Cmd {
	if err := os.WriteFile(s.path, text, 0o600); err != nil {
		return func() tea.Msg { return editedMsg{s: s, err: err} }
	}
	s.shown = text
	return m.Run(s.path, func(err error) tea.Msg { return editedMsg{s: s, err: err} })
}

func (m Model) edited(msg editedMsg) (Model, tea.Cmd) {
	s := msg.s
	if msg.err != nil {
		return m.finish(s, fmt.Sprintf("the editor (%s) failed: %v; the text is in %s", Command(), msg.err, s.path), true)
	}
	text, err := os.ReadFile(s.path)
	if err != nil {
		return m.finish(s, "cannot read the edited file: "+err.Error(), true)
	}
	if bytes.Equal(text, s.shown) {
		if s.refused != nil {
			return m.finish(s, "edit cancelled; your text is kept in "+s.path, true)
		}
		_ = os.RemoveAll(filepath.Dir(s.path))
		return m.finish(s, "no changes: nothing sent", false)
	}
	text = withoutError(text)
	// An editor that saves the refused text again would be sent the same
	// refusal without end.
	if s.refused != nil && bytes.Equal(text, s.refused) {
		why, _, _ := strings.Cut(s.refusal.Error(), "\n")
		return m.finish(s, fmt.Sprintf("edit cancelled: the refused text came back unchanged; your text is kept in %s (refused: %s)", s.path, why), true)
	}
	store, o := s.store, s.object
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		return savedMsg{s: s, text: text, err: store.Update(ctx, o, s.original, text)}
	}
}

func (m Model) finish(s *session, note string, failed bool) (Model, tea.Cmd) {
	return m.end(s, DoneMsg{Note: note, Failed: failed})
}

// end ends the session with done, which it fills in with the object.
func (m Model) end(s *session, done DoneMsg) (Model, tea.Cmd) {
	if m.active == s {
		m.active = nil
	}
	done.Object = s.object
	return m, func() tea.Msg { return done }
}

// errorMark starts the comment block wecs puts above a refused text.
const errorMark = "# wecs: "

// withError puts the error above the user's text as comments, as kubectl
// edit does; the user's own lines stay as they were.
func withError(text []byte, err error) []byte {
	var b bytes.Buffer
	b.WriteString(errorMark + "the edit was not saved. Fix the text below and save, or quit without saving to give up\n")
	b.WriteString(errorMark + "(your text is then kept in this file).\n")
	for _, line := range strings.Split(err.Error(), "\n") {
		b.WriteString(errorMark + line + "\n")
	}
	b.WriteString("#\n")
	b.Write(withoutError(text))
	return b.Bytes()
}

// withoutError drops the comment block withError added.
func withoutError(text []byte) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], errorMark) {
		i++
	}
	if i > 0 && i < len(lines) && lines[i] == "#\n" {
		i++
	}
	return []byte(strings.Join(lines[i:], ""))
}
