package tmuxtest

import (
	"strings"
	"testing"
	"time"
)

// TestAReaderSeesWhatTheScreenShows: the control client reads the pane as
// a capture by a tmux process of its own does, follows it as it changes,
// and leaves the window at the session's size.
func TestAReaderSeesWhatTheScreenShows(t *testing.T) {
	term := Start(t, 100, 30, "printf 'first line\\n'; read line; printf 'then %s\\n' \"$line\"; sleep 30")
	r := term.Reader() // at once, as a benchmark attaches it
	defer r.Close()
	readerSees(t, r, "first line")
	if got, want := r.Screen(), term.Screen(); got != want {
		t.Fatalf("the reader saw %q, the screen is %q", got, want)
	}
	term.Keys("typed", "Enter")
	readerSees(t, r, "then typed")
	if size := term.Format("#{window_width}x#{window_height}"); size != "100x30" {
		t.Fatalf("the window is %s with the reader attached, want 100x30", size)
	}
}

func readerSees(t *testing.T, r *Reader, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.Screen(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the reader never saw %q; it reads %q", text, r.Screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
