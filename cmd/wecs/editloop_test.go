package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	quitFromTheTree(term)
}

// TestTUIEndsTheEditorWithItOnASignal: a SIGTERM to wecs while the editor
// holds the terminal ends the editor too, restores the terminal, and says
// where the text being edited is kept.
func TestTUIEndsTheEditorWithItOnASignal(t *testing.T) {
	s := sandboxtest.Shared(t)
	dir := t.TempDir()
	wecsPID, editorPID := filepath.Join(dir, "wecs.pid"), filepath.Join(dir, "editor.pid")
	// An editor that adds a line to the file, then waits for the user.
	editor := scriptedEditor(t, `echo $$ >`+editorPID+`
echo "# my change" >>"$1"
sleep 60`)
	tmp := t.TempDir()
	term := tmuxtest.Start(t, 160, 40, `before=$(stty -g); TMPDIR=`+tmp+` EDITOR=`+editor+` sh -c 'echo $$ >`+wecsPID+`; exec `+
		buildWecs(t)+` tui --kubeconfig `+s.Kubeconfig+`'; code=$?; [ "$(stty -g)" = "$before" ] && echo "[terminal restored]"; (exit $code)`)
	term.WaitFor(60*time.Second, "cluster1 Active ● Connected")
	term.Keys("/", "crashy", "Enter")
	term.WaitFor(10*time.Second, "cluster1 › batch › Pod crashy")
	term.Keys("e")
	ed := readPID(t, editorPID)
	sent := time.Now()
	if err := syscall.Kill(readPID(t, wecsPID), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for !processGone(ed) && time.Since(sent) < hangAfter {
		time.Sleep(20 * time.Millisecond)
	}
	if !processGone(ed) {
		_ = syscall.Kill(ed, syscall.SIGKILL)
		t.Fatalf("the editor (pid %d) still runs %s after wecs was signalled", ed, hangAfter)
	}
	screen := term.WaitFor(10*time.Second, "[exited 143]", "[terminal restored]", "your text is kept in "+tmp)
	t.Logf("editor ended %s after the signal", time.Since(sent).Round(time.Millisecond))
	files, _ := filepath.Glob(filepath.Join(tmp, "wecs-edit-*", "cluster1-pod-crashy.yaml"))
	if len(files) != 1 {
		t.Fatalf("kept files: %v\n%s", files, screen)
	}
	if text, err := os.ReadFile(files[0]); err != nil || !strings.Contains(string(text), "# my change") {
		t.Errorf("%s lost the edit: %q (%v)", files[0], text, err)
	}
}
