package editor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube"
)

// store keeps one object's text; it refuses updates while conflict is set.
type store struct {
	text     string
	conflict error
	updates  []string
	// originals are the texts each update said the edit started from.
	originals []string
}

func (s *store) EditableText(context.Context, kube.Object, bool) ([]byte, error) {
	return []byte(s.text), nil
}

func (s *store) Update(_ context.Context, _ kube.Object, original, text []byte) error {
	s.originals = append(s.originals, string(original))
	if s.conflict != nil {
		return s.conflict
	}
	s.updates = append(s.updates, string(text))
	s.text = string(text)
	return nil
}

// run drives the flow with a scripted editor: each call of the editor
// applies the next edit to the file (nil leaves it as it is).
func run(t *testing.T, m Model, o kube.Object, edits ...func(string) string) (DoneMsg, []string) {
	t.Helper()
	var seen []string
	m.Run = func(path string, done func(error) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			data, _ := os.ReadFile(path)
			seen = append(seen, string(data))
			if len(edits) == 0 {
				t.Fatal("the editor opened more often than scripted")
			}
			edit := edits[0]
			edits = edits[1:]
			if edit != nil {
				_ = os.WriteFile(path, []byte(edit(string(data))), 0o600)
			}
			return done(nil)
		}
	}
	cmd := m.Start(o)
	for range 20 {
		msg := cmd()
		if done, ok := msg.(DoneMsg); ok {
			if m.Editing() {
				t.Error("still editing after done")
			}
			return done, seen
		}
		m, cmd = m.Update(msg)
	}
	t.Fatal("the flow did not end")
	return DoneMsg{}, nil
}

var web = kube.Object{Cluster: "cluster1", Namespace: "shop", Kind: "Deployment", Name: "web"}

func TestUnchangedSendsNothing(t *testing.T) {
	s := &store{text: "kind: Deployment\n"}
	done, _ := run(t, New(s), web, nil)
	if done.Note != "no changes: nothing sent" || len(s.updates) != 0 {
		t.Errorf("done %+v, updates %v", done, s.updates)
	}
}

func TestChangedIsSaved(t *testing.T) {
	s := &store{text: "kind: Deployment\nmetadata:\n  name: web\n"}
	done, _ := run(t, New(s), web, func(text string) string { return text + "  labels: {tier: web}\n" })
	if done.Failed || !strings.Contains(done.Note, "saved Deployment shop/web on cluster1") || len(s.updates) != 1 || !strings.Contains(s.updates[0], "tier: web") {
		t.Errorf("done %+v, updates %v", done, s.updates)
	}
}

func TestAConflictReopensWithTheUsersTextAndTheErrorThenKeepsIt(t *testing.T) {
	s := &store{text: "kind: Deployment\n", conflict: errors.New("Operation cannot be fulfilled: the object has been modified")}
	mine := func(text string) string { return text + "# my precious change\n" }
	done, seen := run(t, New(s), web, mine, nil)
	if len(seen) != 2 {
		t.Fatalf("the editor opened %d times", len(seen))
	}
	second := seen[1]
	if !strings.HasPrefix(second, errorMark+"the edit was not saved") || !strings.Contains(second, "the object has been modified") ||
		!strings.Contains(second, "# my precious change") {
		t.Errorf("second opening:\n%s", second)
	}
	if !done.Failed || !strings.Contains(done.Note, "your text is kept in ") {
		t.Fatalf("done %+v", done)
	}
	path := done.Note[strings.Index(done.Note, "kept in ")+len("kept in "):]
	kept, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(kept), "# my precious change") {
		t.Errorf("kept file %s: %v\n%s", path, err, kept)
	}
	os.RemoveAll(strings.TrimSuffix(path, "/cluster1-deployment-web.yaml"))
}

// TestAnEditorSavingTheRefusedTextAgainEndsTheEdit is an editor that
// writes the same invalid text whatever it is shown (a script, or a user
// who saves without fixing anything and drops wecs's comments): the second
// refusal of the same text ends the edit, keeping the text in its file.
func TestAnEditorSavingTheRefusedTextAgainEndsTheEdit(t *testing.T) {
	s := &store{text: "kind: Deployment\n", conflict: errors.New("the text is not valid YAML or JSON: yaml: line 2: mapping values are not allowed\nin this context")}
	invalid := func(string) string { return "kind: Deployment\nspec: replicas: 2\n" }
	done, seen := run(t, New(s), web, invalid, invalid, invalid, invalid, invalid)
	if len(seen) != 2 || len(s.originals) != 1 {
		t.Fatalf("the editor opened %d times, %d updates sent", len(seen), len(s.originals))
	}
	if !done.Failed || !strings.Contains(done.Note, "the refused text came back unchanged") ||
		!strings.Contains(done.Note, "(refused: the text is not valid YAML or JSON: yaml: line 2: mapping values are not allowed)") {
		t.Fatalf("done %+v", done)
	}
	path := strings.Fields(done.Note[strings.Index(done.Note, "kept in ")+len("kept in "):])[0]
	kept, err := os.ReadFile(path)
	if err != nil || string(kept) != invalid("") {
		t.Errorf("kept file %s: %v\n%s", path, err, kept)
	}
	os.RemoveAll(filepath.Dir(path))
}

func TestFixingTheTextAfterAnErrorSavesWithoutTheComments(t *testing.T) {
	s := &store{text: "kind: Deployment\n", conflict: errors.New("invalid: spec.replicas")}
	first := func(text string) string { return text + "spec: {replicas: -1}\n" }
	fix := func(text string) string {
		s.conflict = nil
		return strings.Replace(text, "-1", "2", 1)
	}
	done, _ := run(t, New(s), web, first, fix)
	if done.Failed || len(s.updates) != 1 || strings.Contains(s.updates[0], errorMark) || !strings.Contains(s.updates[0], "replicas: 2") {
		t.Errorf("done %+v, updates %q", done, s.updates)
	}
	// Both attempts name the text as read as the edit's start.
	if len(s.originals) != 2 || s.originals[0] != "kind: Deployment\n" || s.originals[1] != s.originals[0] {
		t.Errorf("originals %q", s.originals)
	}
}

func TestEditorCommand(t *testing.T) {
	t.Setenv("KUBE_EDITOR", "")
	t.Setenv("EDITOR", "nano -w")
	if Command() != "nano -w" {
		t.Errorf("EDITOR: %q", Command())
	}
	t.Setenv("KUBE_EDITOR", "code --wait")
	if Command() != "code --wait" {
		t.Errorf("KUBE_EDITOR first: %q", Command())
	}
	t.Setenv("KUBE_EDITOR", "")
	t.Setenv("EDITOR", "")
	if Command() != "vi" {
		t.Errorf("default: %q", Command())
	}
}
