// Package tmuxtest drives a terminal program in a detached tmux session, as
// a person at a terminal would: type keys, read the screen.
package tmuxtest

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Session is one detached tmux session running a command, on a tmux server
// of its own (so sessions of different tests never share or stop a server).
type Session struct {
	t    testing.TB
	name string
}

// Start runs command (a shell command line) in a new width×height session,
// killed when the test ends. tmux must be installed (the Makefile's test
// target installs it).
func Start(t testing.TB, width, height int, command string) *Session {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is needed for end-to-end tests and is not installed: %v (make test installs it)", err)
	}
	s := &Session{t: t, name: fmt.Sprintf("wecs-test-%d", time.Now().UnixNano())}
	// remain-on-exit keeps the pane (and what the program printed last) after it exits.
	out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height),
		"-e", "TERM=xterm-256color", command+"; echo '[exited '$?']'; sleep 60")
	if err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })
	return s
}

// tmux runs a tmux command against the session's own server.
func (s *Session) tmux(args ...string) ([]byte, error) {
	return exec.Command("tmux", append([]string{"-L", s.name}, args...)...).CombinedOutput()
}

// Screen is what the pane shows now, as plain text.
func (s *Session) Screen() string {
	s.t.Helper()
	return s.capture("-p")
}

// StyledScreen is what the pane shows now, with its colours and
// attributes as escape sequences.
func (s *Session) StyledScreen() string {
	s.t.Helper()
	return s.capture("-p", "-e")
}

func (s *Session) capture(flags ...string) string {
	s.t.Helper()
	out, err := s.tmux(append(append([]string{"capture-pane"}, flags...), "-t", s.name)...)
	if err != nil {
		s.t.Fatalf("tmux capture-pane: %v: %s", err, out)
	}
	return string(out)
}

// Keys types keys, in tmux send-keys notation ("q", "C-c", "Enter").
func (s *Session) Keys(keys ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...); err != nil {
		s.t.Fatalf("tmux send-keys: %v: %s", err, out)
	}
}

// WaitFor waits until the screen contains every one of texts and returns
// the screen; after timeout the test fails, showing the last screen.
func (s *Session) WaitFor(timeout time.Duration, texts ...string) string {
	s.t.Helper()
	return s.WaitUntil(timeout, func(screen string) string {
		for _, text := range texts {
			if !strings.Contains(screen, text) {
				return fmt.Sprintf("showed %q", text)
			}
		}
		return ""
	})
}

// WaitGone waits until text has left the screen (a key has been handled, a
// state has passed) and returns the screen.
func (s *Session) WaitGone(timeout time.Duration, text string) string {
	s.t.Helper()
	return s.WaitUntil(timeout, func(screen string) string {
		if strings.Contains(screen, text) {
			return fmt.Sprintf("lost %q", text)
		}
		return ""
	})
}

// WaitUntil polls the screen until unmet returns "" for it and returns the
// screen; else it fails the test after timeout with "screen never " + what
// unmet last returned, and the last screen.
func (s *Session) WaitUntil(timeout time.Duration, unmet func(screen string) string) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		screen := s.Screen()
		missing := unmet(screen)
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never %s within %s; last screen:\n%s", missing, timeout, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Format is a tmux format expanded for the session's pane, e.g.
// "#{alternate_on}" (1 while the program uses the alternate screen) or
// "#{cursor_flag}" (1 while the cursor is visible).
func (s *Session) Format(format string) string {
	s.t.Helper()
	out, err := s.tmux("display-message", "-p", "-t", s.name, format)
	if err != nil {
		s.t.Fatalf("tmux display-message %q: %v: %s", format, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Record appends every byte the program writes to the terminal from now on
// to path, as the terminal receives it (escape sequences included).
func (s *Session) Record(path string) {
	s.t.Helper()
	if out, err := s.tmux("pipe-pane", "-o", "-t", s.name, "cat >> "+strconv.Quote(path)); err != nil {
		s.t.Fatalf("tmux pipe-pane: %v: %s", err, out)
	}
}
