// Package handover hands the terminal from the UI to another program (an
// editor, a shell) and back.
package handover

import (
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
)

// rendererStop is how long a program handed the terminal waits before it
// starts, so that the UI's frame ticker, stopped as the terminal was
// released, has ended. bubbletea (v2.1.1) stops that ticker from the
// renderer's goroutine after it is told to stop, and starts the same ticker
// again when the terminal comes back: a program that returned before that
// goroutine ran (one that ends at once, on one core) would leave the
// restarted ticker stopped, and the UI would draw no frame again.
const rendererStop = 10 * time.Millisecond

// Exec hands the terminal to c while it runs; done gets how it ended.
func Exec(c tea.ExecCommand, done tea.ExecCallback) tea.Cmd {
	return tea.Exec(afterRendererStop{c}, done)
}

type afterRendererStop struct{ tea.ExecCommand }

func (c afterRendererStop) Run() error {
	time.Sleep(rendererStop)
	return c.ExecCommand.Run()
}

// Terminal is the terminal behind the UI's output w, when w wraps one: a
// program handed the terminal writes to it directly, not through a pipe.
func Terminal(w io.Writer) io.Writer {
	if t, ok := w.(interface{ Terminal() *os.File }); ok {
		return t.Terminal()
	}
	return w
}
