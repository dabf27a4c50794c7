// Package theme holds wecs's colour roles and the lipgloss styles built from
// them, for dark and light terminals.
package theme

import (
	"image/color"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/wecs-tui/wecs/kube"
)

// Palette names colours by the role they play, never by hue.
type Palette struct {
	Text, Muted, Accent, Title color.Color
	OK, Warn, Error            color.Color
}

// Dark suits terminals with a dark background (the default until the
// terminal says otherwise).
var Dark = Palette{
	Text: lipgloss.Color("252"), Muted: lipgloss.Color("244"), Accent: lipgloss.Color("75"), Title: lipgloss.Color("231"),
	OK: lipgloss.Color("42"), Warn: lipgloss.Color("214"), Error: lipgloss.Color("203"),
}

// Light suits terminals with a light background.
var Light = Palette{
	Text: lipgloss.Color("236"), Muted: lipgloss.Color("242"), Accent: lipgloss.Color("25"), Title: lipgloss.Color("16"),
	OK: lipgloss.Color("28"), Warn: lipgloss.Color("130"), Error: lipgloss.Color("160"),
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
}

// New builds the styles for a palette.
func New(p Palette) Styles {
	return Styles{
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

// StatusGlyph is a status's glyph and word: readable without colour.
func StatusGlyph(s kube.Status) string { return glyph(s) + " " + string(s) }

// ObjectGlyph is an object's status glyph and its word as kubectl prints
// it: "✗ CrashLoopBackOff".
func ObjectGlyph(o kube.Object) string { return glyph(o.Status) + " " + o.StatusWord() }

func glyph(s kube.Status) string {
	switch s {
	case kube.StatusRunning, kube.StatusReady, kube.StatusSucceeded:
		return "✓"
	case kube.StatusPending, kube.StatusNotReady, kube.StatusTerminating:
		return "◐"
	case kube.StatusFailed:
		return "✗"
	}
	return "?"
}

// Status is the style of an object's status.
func (s Styles) Status(st kube.Status) lipgloss.Style {
	switch st {
	case kube.StatusRunning, kube.StatusReady, kube.StatusSucceeded:
		return s.OK
	case kube.StatusPending, kube.StatusNotReady, kube.StatusTerminating:
		return s.Warn
	case kube.StatusFailed:
		return s.Error
	}
	return s.Muted
}

// Health is the style of a cluster's health.
func (s Styles) Health(h kube.Health) lipgloss.Style {
	switch h {
	case kube.HealthActive:
		return s.OK
	case kube.HealthPending:
		return s.Warn
	}
	return s.Error
}

// StaleText is "stale since 15:04", said wherever a cluster's objects or
// figures are kept from before its connection was lost.
func StaleText(since time.Time) string {
	return "stale since " + since.Local().Format("15:04")
}
