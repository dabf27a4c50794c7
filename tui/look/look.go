// Package look is how the fleet's states look on screen: a glyph and a
// word for every status (readable without colour), in the theme's colour
// for it.
package look

import (
	"charm.land/lipgloss/v2"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

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
func Status(s theme.Styles, st kube.Status) lipgloss.Style {
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
func Health(s theme.Styles, h kube.Health) lipgloss.Style {
	switch h {
	case kube.HealthActive:
		return s.OK
	case kube.HealthPending:
		return s.Warn
	}
	return s.Error
}
