package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/tui/editor"
)

const (
	// signalGrace is how long the UI has to end by itself after a signal
	// before wecs restores the terminal and exits anyway.
	signalGrace = 500 * time.Millisecond
	// restoreTimeout bounds that restoring: a terminal that takes no more
	// output must not keep the process alive.
	restoreTimeout = 2 * time.Second
)

// terminalReset undoes what the UI sets on the terminal: the alternate
// screen, the hidden cursor, bracketed paste, focus and mouse reports,
// keyboard enhancements. It starts with CAN, which ends an escape sequence
// the UI may have been cut off in the middle of.
var terminalReset = "\x18" + ansi.ResetModeAltScreenSaveCursor + ansi.ShowCursor + ansi.ResetModeBracketedPaste +
	ansi.ResetModeFocusEvent + ansi.ResetModeMouseNormal + ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent +
	ansi.ResetModeMouseExtSgr + ansi.ResetModifyOtherKeys + ansi.PopKittyKeyboard(1)

// signalQuit ends wecs on SIGINT, SIGTERM and SIGHUP. The first cancels
// the commands' context, which ends the command (the UI restores the
// terminal). If the process is still there signalGrace later (a shutdown
// stuck on something), or on a second signal, the terminal is restored
// from here and the process exits. Either way the exit status is
// 128 + the signal's number, as a shell reports a process a signal ended.
type signalQuit struct {
	received atomic.Int32
	// tty is the terminal's state before the UI, when stdin is one.
	tty *term.State
	// uiStarted says the UI may have changed the terminal: before, there
	// is nothing to reset (and leaving an alternate screen that was never
	// entered moves the cursor).
	uiStarted atomic.Bool
	// editing is the file of an edit the signal ended, if one was open.
	editing atomic.Pointer[string]
	// uiOutput is the UI's way to the terminal, shut with the reset as its
	// last output, so that no frame drawn later re-enters the alternate screen.
	uiOutput gatedOutput
}

// gatedOutput is the terminal (stdout) as the UI writes to it, until shut:
// after that, the UI's writes are dropped. Writes and the shutting take
// turns, so a frame the UI had begun is written whole before what the
// shutting writes, and none after it.
type gatedOutput struct {
	*os.File
	mu   sync.Mutex
	shut bool
	// written is called after the next write (see afterNextWrite).
	written func()
}

func (g *gatedOutput) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		return len(p), nil
	}
	n, err := g.File.Write(p)
	if written := g.written; written != nil {
		g.written = nil
		written()
	}
	return n, err
}

// afterNextWrite calls f once the UI's next write is on the terminal; f
// must not write.
func (g *gatedOutput) afterNextWrite(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.written = f
}

func (g *gatedOutput) WriteString(s string) (int, error) {
	return g.Write([]byte(s))
}

// shutWith shuts the gate once the UI's write under way, if any, is done,
// and writes last to the terminal as the final output.
func (g *gatedOutput) shutWith(last string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shut = true
	if last != "" {
		_, _ = g.File.WriteString(last)
	}
}

// Terminal is the terminal behind the gate, for a program the UI hands the
// terminal to (the editor).
func (g *gatedOutput) Terminal() *os.File { return g.File }

// quitOnSignals starts handling the signals for the rest of the process's
// life; ctx ends at the first.
func quitOnSignals(parent context.Context) (ctx context.Context, q *signalQuit) {
	q = &signalQuit{uiOutput: gatedOutput{File: os.Stdout}}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		q.tty, _ = term.GetState(fd)
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(parent)
	go func() {
		first := (<-signals).(syscall.Signal)
		q.received.Store(int32(first))
		// An editor holds the terminal: it ends with wecs, its file stays.
		if path := editor.End(first); path != "" {
			q.editing.Store(&path)
		}
		cancel()
		select {
		case <-signals:
		case <-time.After(signalGrace):
		}
		q.exitNow(first)
	}()
	return ctx, q
}

// startingUI notes that the UI is about to take the terminal, and gives
// the output the UI must write to.
func (q *signalQuit) startingUI() *gatedOutput {
	q.uiStarted.Store(true)
	return &q.uiOutput
}

// exitCode is 128 + the number of the signal that came, or 0.
func (q *signalQuit) exitCode() int {
	if sig := q.received.Load(); sig != 0 {
		return 128 + int(sig)
	}
	return 0
}

// exitNow restores the terminal and exits as after sig. The UI may still
// be drawing: the tty's modes (an ioctl, which cannot block) are restored
// first, then the UI's output is shut with the reset as its last words,
// after the frame under way; a terminal that reads slowly can hold that
// up, so it gets restoreTimeout.
func (q *signalQuit) exitNow(sig syscall.Signal) {
	q.restoreTTY()
	reset := ""
	if q.uiStarted.Load() {
		reset = terminalReset
	}
	written := make(chan struct{})
	go func() {
		defer close(written)
		q.uiOutput.shutWith(reset)
	}()
	select {
	case <-written:
	case <-time.After(restoreTimeout):
	}
	// The UI may have been taking the terminal at the first restore.
	q.restoreTTY()
	q.sayWhereTheEditIs()
	os.Exit(128 + int(sig))
}

// restoreTTY puts back the tty's modes of before the UI.
func (q *signalQuit) restoreTTY() {
	if q.tty != nil {
		_ = term.Restore(int(os.Stdin.Fd()), q.tty)
	}
}

// sayWhereTheEditIs tells, on stderr, where the text of an edit that the
// signal ended is kept.
func (q *signalQuit) sayWhereTheEditIs() {
	if path := q.editing.Swap(nil); path != nil {
		fmt.Fprintf(os.Stderr, "wecs: the editor was ended with wecs; your text is kept in %s\n", termtext.Clean(*path))
	}
}
