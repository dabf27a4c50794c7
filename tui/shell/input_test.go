//go:build linux

package shell

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/muesli/cancelreader"
)

// The exec's stdin copier is still waiting in a read when a shell ends.
// The next key must reach the UI's own reader, every time, and the
// copier's read must end.
func TestNoKeyIsLostToTheShellAfterItEnds(t *testing.T) {
	fdsBefore := openFiles(t)
	for round := range 300 {
		terminal, keyboard, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		in, err := newInput(terminal)
		if err != nil {
			t.Fatal(err)
		}
		copied := make(chan error, 1)
		go func() {
			_, err := in.Read(make([]byte, 32))
			copied <- err
		}()
		time.Sleep(time.Millisecond) // let the copier wait in its read
		in.end()

		if _, err := keyboard.Write([]byte("q")); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			b := make([]byte, 8)
			n, _ := terminal.Read(b)
			got <- string(b[:n])
		}()
		select {
		case key := <-got:
			if key != "q" {
				t.Fatalf("round %d: the UI read %q, want the key q", round, key)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("round %d: the key typed after the shell ended never reached the UI's reader", round)
		}
		select {
		case err := <-copied:
			if !errors.Is(err, cancelreader.ErrCanceled) {
				t.Fatalf("round %d: the copier's read ended with %v, want it cancelled", round, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("round %d: the copier's read did not end with the shell", round)
		}
		if _, err := in.Read(make([]byte, 1)); !errors.Is(err, cancelreader.ErrCanceled) {
			t.Fatalf("round %d: a read after the end returned %v, want it cancelled", round, err)
		}
		keyboard.Close()
		terminal.Close()
	}
	if after := openFiles(t); after != fdsBefore {
		t.Fatalf("%d files open before the shells, %d after: the shells' readers were not all closed", fdsBefore, after)
	}
}

// A shell that ends with no read under way closes its reader at once.
func TestAShellsInputClosesWithNoReadUnderWay(t *testing.T) {
	terminal, keyboard, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer keyboard.Close()
	defer terminal.Close()
	before := openFiles(t)
	in, err := newInput(terminal)
	if err != nil {
		t.Fatal(err)
	}
	in.end()
	in.end()
	if after := openFiles(t); after != before {
		t.Fatalf("%d files open before the shell, %d after it ended", before, after)
	}
}

func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
