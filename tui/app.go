// Package tui is wecs's terminal UI: the root bubbletea model that lays out
// the components (one package each under tui/) and routes messages to them.
package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/tree"
)

// Config is what the UI is started with.
type Config struct {
	// ITSContext is the kubeconfig context of the ITS.
	ITSContext string
	// Mouse turns on mouse reporting (off by default: it breaks text selection).
	Mouse bool
}

// Fleet is the live data the UI shows (a *kube.Fleet).
type Fleet interface {
	tree.Source
	Changed() <-chan struct{}
	// Reconnect drops and re-opens the watches on one WEC (non-blocking).
	Reconnect(cluster string) error
}

// Model is the root model.
type Model struct {
	cfg           Config
	fleet         Fleet
	objects       *kube.Tree
	styles        theme.Styles
	tree          tree.Model
	width, height int
	// searching is true while the user types a search after "/".
	searching bool
	query     string
}

// frameInterval bounds redraws: bursts of changes within it become one.
const frameInterval = 33 * time.Millisecond

// changedMsg says the fleet or its objects changed since the last redraw.
type changedMsg struct{}

// New returns the root model; it starts with the dark theme and switches if
// the terminal reports a light background.
func New(cfg Config, fleet Fleet, objects *kube.Tree) Model {
	styles := theme.For(true)
	return Model{cfg: cfg, fleet: fleet, objects: objects, styles: styles, tree: tree.New(fleet, objects, styles)}
}

// Init asks the terminal for its background colour (never waited for) and
// starts listening for changes.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.waitForChange())
}

// waitForChange blocks (in its own goroutine, as every tea.Cmd) until the
// fleet or the tree changes, then lets a frame's worth of further changes
// pile up so that a burst costs one redraw.
func (m Model) waitForChange() tea.Cmd {
	fleetChanged, treeChanged := m.fleet.Changed(), m.objects.Changed()
	return func() tea.Msg {
		select {
		case <-fleetChanged:
		case <-treeChanged:
		}
		time.Sleep(frameInterval)
		return changedMsg{}
	}
}

// Update handles keys, resizes, changes and the terminal's background colour.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.searching {
			return m.typeSearch(msg), nil
		}
		switch msg.String() {
		case "q", "ctrl+c":
			return m, tea.Quit
		case "/":
			m.searching, m.query = true, ""
			return m, nil
		case "esc":
			m.tree.Search("")
			return m, nil
		case "r", "ctrl+r":
			if row, ok := m.tree.Selected(); ok {
				if err := m.fleet.Reconnect(row.Cluster); err != nil {
					m.tree.Note = err.Error()
				} else {
					m.tree.Note = "reconnecting to " + row.Cluster
				}
			}
			return m, nil
		}
		var cmd tea.Cmd
		m.tree, cmd = m.tree.Update(msg)
		return m, cmd
	case changedMsg:
		m.tree.Rebuild()
		return m, m.waitForChange()
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.tree.SetSize(m.width, max(m.height-3, 1))
	case tea.BackgroundColorMsg:
		m.styles = theme.For(msg.IsDark())
		m.tree.SetStyles(m.styles)
	}
	return m, nil
}

// typeSearch edits the search line; every keystroke searches again, so the
// cursor follows as the user types. Enter keeps the search for n/N, esc drops it.
func (m Model) typeSearch(key tea.KeyPressMsg) Model {
	switch key.String() {
	case "enter":
		m.searching = false
		return m
	case "esc", "ctrl+c":
		m.searching = false
		m.tree.Search("")
		return m
	case "backspace":
		if m.query != "" {
			r := []rune(m.query)
			m.query = string(r[:len(r)-1])
		}
	default:
		if key.Text == "" {
			return m
		}
		m.query += key.Text
	}
	m.tree.Search(m.query)
	return m
}

// header says where wecs looks, how much of the fleet answers and when
// anything last changed.
func (m Model) header() string {
	// The cluster rows carry the members as of the last rebuild: View reads
	// them instead of asking the fleet again on every frame.
	members, connected := 0, 0
	for _, r := range m.tree.Rows() {
		if r.Level != tree.LevelCluster {
			continue
		}
		members++
		if r.Member.Connection.State == kube.Connected {
			connected++
		}
	}
	last := "no changes yet"
	if t := m.objects.LastChange(); !t.IsZero() {
		last = "last change " + t.Format("15:04:05")
	}
	return m.styles.Title.Render("wecs") + m.styles.Muted.Render(fmt.Sprintf(" · ITS %s · %d/%d WECs connected · %s",
		m.cfg.ITSContext, connected, members, last))
}

func (m Model) footer() string {
	if m.searching {
		return m.styles.Key.Render("/") + m.query + "█" + m.styles.Muted.Render(strings.TrimPrefix(m.tree.SearchStatus(), "/"+m.query))
	}
	// Most needed first: a narrow terminal cuts the end.
	keys := []string{"↑↓/jk move", "→/l/enter open", "←/h close", "/ search", "q quit", "r reconnect", "tab next cluster", "+/- all"}
	if m.tree.SearchStatus() != "" {
		keys = append([]string{"n/N next/previous", "esc clear"}, keys...)
	}
	for i, k := range keys {
		key, what, _ := strings.Cut(k, " ")
		keys[i] = m.styles.Key.Render(key) + " " + m.styles.Muted.Render(what)
	}
	line := strings.Join(keys, "  ")
	if status := m.tree.SearchStatus(); status != "" {
		line = m.styles.Key.Render(status) + "  " + line
	}
	if m.tree.Note != "" {
		line = m.styles.Warn.Render(m.tree.Note)
	}
	return line
}

// View draws the screen.
func (m Model) View() tea.View {
	body := m.tree.View()
	content := m.header() + "\n\n" + body
	lines := strings.Count(content, "\n") + 1
	if m.height > lines {
		content += strings.Repeat("\n", m.height-lines-1)
	}
	content += "\n" + m.footer()
	if m.width > 0 {
		var out []string
		for _, l := range strings.Split(content, "\n") {
			out = append(out, ansi.Truncate(l, m.width, "…"))
		}
		content = lipgloss.NewStyle().MaxHeight(m.height).Render(strings.Join(out, "\n"))
	}
	v := tea.NewView(content)
	v.AltScreen = true
	if m.cfg.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}
