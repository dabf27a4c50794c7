// Package tui is wecs's terminal UI: the root bubbletea model that lays out
// the components (one package each under tui/) and routes messages to them.
package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wecs-tui/wecs/theme"
)

// Config is what the UI is started with.
type Config struct {
	// ITSContext is the kubeconfig context of the ITS.
	ITSContext string
	// Kubeconfig names the file(s) the contexts come from.
	Kubeconfig string
	// Mouse turns on mouse reporting (off by default: it breaks text selection).
	Mouse bool
}

// Model is the root model.
type Model struct {
	cfg           Config
	styles        theme.Styles
	width, height int
}

// New returns the root model; it starts with the dark theme and switches if
// the terminal reports a light background.
func New(cfg Config) Model {
	return Model{cfg: cfg, styles: theme.For(true)}
}

// Init asks the terminal for its background colour (never waited for).
func (m Model) Init() tea.Cmd {
	return tea.RequestBackgroundColor
}

// Update handles keys, resizes and the terminal's background colour.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c":
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.styles = theme.For(msg.IsDark())
	}
	return m, nil
}

// View draws the screen.
func (m Model) View() tea.View {
	var b strings.Builder
	b.WriteString(m.styles.Title.Render("wecs") + m.styles.Muted.Render(" · workloads across the fleet") + "\n\n")
	fmt.Fprintf(&b, "%s %s\n", m.styles.Muted.Render("ITS context:"), m.styles.Text.Render(m.cfg.ITSContext))
	fmt.Fprintf(&b, "%s %s\n\n", m.styles.Muted.Render("kubeconfig: "), m.styles.Text.Render(m.cfg.Kubeconfig))
	b.WriteString(m.styles.Muted.Render("The fleet tree is not built yet.") + "\n\n")
	b.WriteString(m.styles.Key.Render("q") + m.styles.Muted.Render(" quit"))
	content := b.String()
	if m.width > 0 {
		content = lipgloss.NewStyle().MaxWidth(m.width).MaxHeight(m.height).Render(content)
	}
	v := tea.NewView(content)
	v.AltScreen = true
	if m.cfg.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}
