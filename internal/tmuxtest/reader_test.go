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
	term.WaitFor(10*time.Second, "first line")
	r := term.Reader()
	defer r.Close()
	if got, want := r.Screen(), term.Screen(); got != want {
		t.Fatalf("the reader saw %q, the screen is %q", got, want)
	}
	term.Keys("typed", "Enter")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.Screen(), "then typed") {
		if time.Now().After(deadline) {
			t.Fatalf("the reader never saw the change; it reads %q", r.Screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if size := term.Format("#{window_width}x#{window_height}"); size != "100x30" {
		t.Fatalf("the window is %s with the reader attached, want 100x30", size)
	}
}
