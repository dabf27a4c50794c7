package handover_test

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/tui/handover"
)

// instant is a program handed the terminal that ends at once.
type instant struct{}

func (instant) Run() error          { return nil }
func (instant) SetStdin(io.Reader)  {}
func (instant) SetStdout(io.Writer) {}
func (instant) SetStderr(io.Writer) {}

type backMsg struct{}

// handingOver hands the terminal over once and then shows "back".
type handingOver struct{ back bool }

func (m handingOver) Init() tea.Cmd {
	return handover.Exec(instant{}, func(error) tea.Msg { return backMsg{} })
}

func (m handingOver) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(backMsg); ok {
		m.back = true
	}
	return m, nil
}

func (m handingOver) View() tea.View {
	if m.back {
		return tea.NewView("back")
	}
	return tea.NewView("before")
}

// output records what the UI writes.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) has(s string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Contains(o.buf.String(), s)
}

// TestTheUIDrawsAgainAfterAProgramThatEndsAtOnce runs on one core, where
// the UI's renderer is likeliest to be restarted before it has stopped.
func TestTheUIDrawsAgainAfterAProgramThatEndsAtOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for round := range 5 {
		out := &output{}
		p := tea.NewProgram(handingOver{}, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignals(), tea.WithWindowSize(20, 2))
		ran := make(chan error, 1)
		go func() {
			_, err := p.Run()
			ran <- err
		}()
		deadline := time.Now().Add(5 * time.Second)
		for !out.has("back") {
			if time.Now().After(deadline) {
				p.Kill()
				t.Fatalf("round %d: the UI drew nothing after the program it handed the terminal to ended", round)
			}
			time.Sleep(10 * time.Millisecond)
		}
		p.Quit()
		if err := <-ran; err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
