package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// TestTUIEndsAnEditWhoseRefusedTextComesBackUnchanged edits a pod, then a
// ManagedCluster, with an editor that writes the same invalid YAML whatever
// it is shown: each edit is refused once, ends when the same text comes
// back, and the text stays in the file the note names.
func TestTUIEndsAnEditWhoseRefusedTextComesBackUnchanged(t *testing.T) {
	s := sandboxtest.Shared(t)
	runs := filepath.Join(t.TempDir(), "runs")
	const invalid = "kind: Pod\nmetadata: {name: [\n"
	editor := scriptedEditor(t, `echo run >>`+runs+`
printf 'kind: Pod\nmetadata: {name: [\n' >"$1"`)
	tmp := t.TempDir()
	term := tmuxtest.Start(t, 160, 40, "TMPDIR="+tmp+" EDITOR="+editor+" "+buildWecs(t)+" tui --kubeconfig "+s.Kubeconfig)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected")

	ended := func(edits int, kept string) {
		t.Helper()
		// (The refusal follows the path in the note, past the screen's edge.)
		term.WaitFor(30*time.Second, "edit cancelled: the refused text came back unchanged; your text is kept in "+tmp)
		// A moment for an editor run that should not come.
		time.Sleep(time.Second)
		data, _ := os.ReadFile(runs)
		if got := strings.Count(string(data), "run\n"); got != edits {
			t.Fatalf("the editor ran %d times in all, want %d", got, edits)
		}
		files, _ := filepath.Glob(filepath.Join(tmp, "wecs-edit-*", kept))
		if len(files) != 1 {
			t.Fatalf("kept files %s: %v", kept, files)
		}
		if text, err := os.ReadFile(files[0]); err != nil || string(text) != invalid {
			t.Errorf("%s holds %q (%v)", files[0], text, err)
		}
	}

	term.Keys("/", "c", "r", "a", "s", "h", "y", "Enter")
	term.WaitFor(10*time.Second, "cluster1 › batch › Pod crashy")
	term.Keys("e")
	ended(2, "cluster1-pod-crashy.yaml")

	term.Keys("C")
	term.WaitFor(10*time.Second, "Clusters · ", "[Details]")
	term.Keys("e")
	ended(4, "its1-managedcluster-*.yaml")
	term.Keys("q")
	term.WaitFor(10*time.Second, "no filter")
	term.Keys("q")
	term.WaitFor(10*time.Second, "quit wecs? y/n")
	term.Keys("y")
	term.WaitFor(10*time.Second, "[exited 0]")
}
