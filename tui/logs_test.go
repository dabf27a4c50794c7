package tui

import (
	"strings"
	"testing"
)

// TestEscLeavesTheLogsEvenWithAFilter: the first esc drops the filter (the
// footer says "esc clear"), the next goes back to the tree as it says.
func TestEscLeavesTheLogsEvenWithAFilter(t *testing.T) {
	m := send(sized(140, 30), keys("/crashy", "enter", "L", "F", "error", "enter")...)
	if m.top().kind != modePane || !strings.Contains(screen(m), "esc clear") {
		t.Fatalf("with a filter on, the footer should offer esc clear:\n%s", screen(m))
	}
	m = send(m, keys("esc")...)
	if m.pane.SearchStatus() != "" || !strings.Contains(screen(m), "esc back") {
		t.Fatalf("the first esc keeps %q:\n%s", m.pane.SearchStatus(), screen(m))
	}
	m = send(m, keys("esc")...)
	if len(m.modes) != 1 {
		t.Errorf("esc twice did not go back to the tree:\n%s", screen(m))
	}
}

// TestAllClustersKeyOnARowWithoutPods: a on the Logs tab of a cluster or
// a Service says there are no pods instead of failing.
func TestAllClustersKeyOnARowWithoutPods(t *testing.T) {
	m := send(sized(140, 30), keys(":kind svc", "enter", "4", "a")...)
	if !strings.Contains(screen(m), "No pods here") {
		t.Errorf("the Logs tab of a cluster:\n%s", screen(m))
	}
	m = send(m, keys("esc", "j", "j", "j")...)
	if row, ok := m.tree.Selected(); !ok || row.Object == nil || row.Object.Kind != "Service" {
		t.Fatalf("no Service selected:\n%s", screen(m))
	}
	m = send(m, keys("4", "a")...)
	if !strings.Contains(screen(m), "No pods here") {
		t.Errorf("the Logs tab of a Service:\n%s", screen(m))
	}
}

// TestFilterPromptStartsEmpty: F after a search shows only what is typed.
func TestFilterPromptStartsEmpty(t *testing.T) {
	m := send(sized(140, 30), keys("/crashy", "enter", "L", "/", "starting", "enter", "F", "sl")...)
	footer := strings.Split(screen(m), "\n")
	last := footer[len(footer)-1]
	if !strings.HasPrefix(last, "F sl") || strings.Contains(last, "starting") {
		t.Errorf("filter prompt %q", last)
	}
}

// TestEscInTheFilterPromptDropsTheFilter: esc while typing a log filter
// drops the filter typed so far, not the search.
func TestEscInTheFilterPromptDropsTheFilter(t *testing.T) {
	m := send(sized(140, 30), keys("/crashy", "enter", "L", "/", "starting", "enter", "F", "slow")...)
	if plain := screen(m); strings.Contains(plain, "INFO starting") {
		t.Fatalf("the filter slow is not on as it is typed:\n%s", plain)
	}
	m = send(m, keys("esc")...)
	if plain := screen(m); !strings.Contains(plain, "INFO starting") || m.pane.SearchStatus() == "" {
		t.Errorf("esc in the filter prompt: the filter stays or the search went (%q):\n%s", m.pane.SearchStatus(), plain)
	}
}
