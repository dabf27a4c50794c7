// Package theme holds wecs's colour roles and the lipgloss styles built from
// them, for dark and light terminals.
package theme

import (
	"hash/fnv"
	"image/color"
	"time"

	"charm.land/lipgloss/v2"
)

// Palette names colours by the role they play, never by hue.
type Palette struct {
	Text, Muted, Accent, Title color.Color
	OK, Warn, Error            color.Color
	// Sources tell merged log sources apart, as stern does.
	Sources []color.Color
}

// Dark suits terminals with a dark background (the default until the
// terminal says otherwise).
var Dark = Palette{
	Text: lipgloss.Color("252"), Muted: lipgloss.Color("244"), Accent: lipgloss.Color("75"), Title: lipgloss.Color("231"),
	OK: lipgloss.Color("42"), Warn: lipgloss.Color("214"), Error: lipgloss.Color("203"),
	Sources: colours("39", "170", "214", "78", "141", "208", "45", "204"),
}

// Light suits terminals with a light background.
var Light = Palette{
	Text: lipgloss.Color("236"), Muted: lipgloss.Color("242"), Accent: lipgloss.Color("25"), Title: lipgloss.Color("16"),
	OK: lipgloss.Color("28"), Warn: lipgloss.Color("130"), Error: lipgloss.Color("160"),
	Sources: colours("25", "127", "130", "28", "91", "166", "30", "161"),
}

func colours(codes ...string) []color.Color {
	out := make([]color.Color, len(codes))
	for i, c := range codes {
		out[i] = lipgloss.Color(c)
	}
	return out
}

// Styles are the styles every view draws with.
type Styles struct {
	Title, Text, Muted, Key, OK, Warn, Error lipgloss.Style
	// Accent marks names in structured text (YAML keys, column heads).
	Accent lipgloss.Style
	// Match marks search matches; it reads without colour too (reverse).
	Match lipgloss.Style
	// Selected marks the row under the cursor (reverse: it reads without
	// colour).
	Selected lipgloss.Style
	sources  []lipgloss.Style
}

// Source is a stable colour for one log source (pod/container), telling
// merged sources apart.
func (s Styles) Source(name string) lipgloss.Style {
	if len(s.sources) == 0 {
		return s.Text
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return s.sources[h.Sum32()%uint32(len(s.sources))]
}

// New builds the styles for a palette.
func New(p Palette) Styles {
	sources := make([]lipgloss.Style, len(p.Sources))
	for i, c := range p.Sources {
		sources[i] = lipgloss.NewStyle().Foreground(c)
	}
	return Styles{
		sources:  sources,
		Title:    lipgloss.NewStyle().Foreground(p.Title).Bold(true),
		Text:     lipgloss.NewStyle().Foreground(p.Text),
		Muted:    lipgloss.NewStyle().Foreground(p.Muted),
		Key:      lipgloss.NewStyle().Foreground(p.Accent).Bold(true),
		OK:       lipgloss.NewStyle().Foreground(p.OK),
		Warn:     lipgloss.NewStyle().Foreground(p.Warn),
		Error:    lipgloss.NewStyle().Foreground(p.Error),
		Accent:   lipgloss.NewStyle().Foreground(p.Accent),
		Match:    lipgloss.NewStyle().Reverse(true).Foreground(p.Warn),
		Selected: lipgloss.NewStyle().Reverse(true),
	}
}

// For picks the styles for a background: light or dark.
func For(dark bool) Styles {
	if dark {
		return New(Dark)
	}
	return New(Light)
}

// StaleText is "stale since 15:04", said wherever a cluster's objects or
// figures are kept from before its connection was lost.
func StaleText(since time.Time) string {
	return "stale since " + since.Local().Format("15:04")
}
