// Package forwards is the list of the port-forwards wecs runs: what each
// forwards to, on which local ports, since when, and why one ended;
// ctrl+d stops one. Every forward ends when wecs does.
package forwards

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/keymap"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/status"
)

// Forward is one port-forward.
type Forward struct {
	id                 int
	Cluster, Namespace string
	// Target is "pod/NAME" or "svc/NAME".
	Target string
	// Asked are the ports as asked, [LOCAL:]REMOTE.
	Asked []string
	// Ports are the local ports and where they lead, once they listen.
	Ports []kube.ForwardedPort
	Since time.Time
	// Ended says why the forward stopped; "" while it runs.
	Ended string
	stop  context.CancelFunc
}

// Where is the forward's target as the CLI writes it.
func (f *Forward) Where() string {
	return f.Cluster + "/" + f.Namespace + "/" + f.Target
}

// Addresses are the local ends, "localhost:8080→80", or the ports asked
// while they do not listen yet.
func (f *Forward) Addresses() string {
	if len(f.Ports) == 0 {
		return strings.Join(f.Asked, " ")
	}
	parts := make([]string, len(f.Ports))
	for i, p := range f.Ports {
		parts[i] = fmt.Sprintf("localhost:%d→%d", p.Local, p.Remote)
	}
	return strings.Join(parts, " ")
}

type listeningMsg struct {
	id    int
	ports []kube.ForwardedPort
}

type endedMsg struct {
	id  int
	err error
}

// Model is the list of forwards.
type Model struct {
	forwards      []*Forward
	next          int
	list          list.Model
	styles        theme.Styles
	width, height int
}

// New returns an empty list.
func New(s theme.Styles) Model { return Model{styles: s} }

// Start forwards opts.Ports to a pod or a service's pod through client,
// until stopped or wecs ends; the command reports when the ports listen
// and when the forward ends.
func (m *Model) Start(client *kube.PodClient, namespace string, opts kube.ForwardOptions) tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	m.next++
	target := "pod/" + opts.Name
	if opts.Service {
		target = "svc/" + opts.Name
	}
	f := &Forward{id: m.next, Cluster: client.Cluster, Namespace: namespace, Target: target, Asked: opts.Ports, Since: time.Now(), stop: cancel}
	m.forwards = append(m.forwards, f)
	m.list.SetLen(len(m.forwards))
	listening, ended := make(chan []kube.ForwardedPort, 1), make(chan struct{})
	opts.Listening = func(ports []kube.ForwardedPort) { listening <- ports }
	opts.Out, opts.ErrOut = io.Discard, io.Discard
	id := f.id
	run := func() tea.Msg {
		defer close(ended)
		return endedMsg{id: id, err: client.PortForward(ctx, namespace, opts)}
	}
	wait := func() tea.Msg {
		select {
		case ports := <-listening:
			return listeningMsg{id: id, ports: ports}
		case <-ended:
			return nil
		}
	}
	return tea.Batch(run, wait)
}

// Active counts the forwards that run.
func (m Model) Active() int {
	n := 0
	for _, f := range m.forwards {
		if f.Ended == "" {
			n++
		}
	}
	return n
}

func (m Model) find(id int) *Forward {
	i := slices.IndexFunc(m.forwards, func(f *Forward) bool { return f.id == id })
	if i < 0 {
		return nil
	}
	return m.forwards[i]
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetSize sets the area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.list.SetHeight(max(height-1, 1))
}

// Refresh keeps the cursor within the forwards.
func (m *Model) Refresh() tea.Cmd {
	m.list.SetLen(len(m.forwards))
	return nil
}

// Update takes the forwards' reports, and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listeningMsg:
		if f := m.find(msg.id); f != nil {
			f.Ports = msg.ports
			return status.Note("forwarding " + termtext.Clean(f.Addresses()) + " to " + termtext.Clean(f.Where()) + " (:pf lists the forwards)")
		}
	case endedMsg:
		f := m.find(msg.id)
		if f == nil {
			return nil // stopped and removed
		}
		f.Ended = "ended"
		if msg.err != nil {
			f.Ended = msg.err.Error()
			return status.Problem("port-forward to " + termtext.Clean(f.Where()) + ": " + termtext.Clean(msg.err.Error()))
		}
	case tea.KeyPressMsg:
		return m.keys().Handle(m, msg)
	}
	return nil
}

// stop ends the selected forward and takes it off the list.
func (m *Model) stop() tea.Cmd {
	if len(m.forwards) == 0 {
		return nil
	}
	i := m.list.Cursor()
	f := m.forwards[i]
	f.stop()
	m.forwards = slices.Delete(m.forwards, i, i+1)
	m.list.SetLen(len(m.forwards))
	return status.Note("stopped the port-forward to " + termtext.Clean(f.Where()))
}

func (m *Model) keys() keymap.Map[Model] {
	return keymap.Map[Model]{Title: "Port-forwards", Footer: []string{"down", "ctrl+d"}, Bindings: append(keymap.Movement(
		keymap.MoveHelp{Row: "select a forward", Page: "a page of forwards up / down", Ends: "first / last forward", Short: "↑↓ select"},
		func(m *Model) keymap.Cursor { return &m.list }, nil),
		keymap.Binding[Model]{Keys: []string{"ctrl+d"}, Short: "ctrl+d stop", Long: "stop the forward (or drop an ended one)", Disabled: func(m *Model) string {
			if len(m.forwards) == 0 {
				return "stop: no port-forward runs (shift-f on a pod or service starts one)"
			}
			return ""
		}, Run: func(m *Model, _ tea.KeyPressMsg) tea.Cmd { return m.stop() }},
	)}
}

// Keys are the view's bindings as they stand.
func (m *Model) Keys() []keymap.Group { return []keymap.Group{m.keys().Describe(m)} }

// Title is the line under the header.
func (m Model) Title() string {
	return m.styles.Title.Render("Port-forwards") + m.styles.Muted.Render(fmt.Sprintf(" · %d active · they end when wecs does", m.Active()))
}

// View lists the forwards.
func (m Model) View() string {
	s := m.styles
	const head = "%-14s %-32s %-34s %-6s %s"
	lines := []string{s.Accent.Render(ansi.Truncate(fmt.Sprintf(head, "CLUSTER", "TARGET", "LOCAL→REMOTE", "AGE", "STATE"), max(m.width, 1), "…"))}
	if len(m.forwards) == 0 {
		lines = append(lines, s.Muted.Render("No port-forwards. shift-f on a pod or a service starts one."))
	}
	start, end := m.list.Window()
	for i := start; i < end; i++ {
		f := m.forwards[i]
		state, style := "listening", s.OK
		switch {
		case f.Ended != "":
			state, style = f.Ended, s.Error
		case len(f.Ports) == 0:
			state, style = "starting", s.Muted
		}
		line := fmt.Sprintf(head, termtext.Middle(termtext.Clean(f.Cluster), 14), termtext.Middle(termtext.Clean(f.Namespace+"/"+f.Target), 32),
			termtext.Middle(termtext.Clean(f.Addresses()), 34), duration.HumanDuration(time.Since(f.Since)), termtext.Clean(state))
		line = ansi.Truncate(line, max(m.width, 1), "…")
		if i == m.list.Cursor() {
			line = s.Selected.Render(line)
		} else {
			line = style.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
