// Package events renders the Events tab: an object's events, newest first,
// each as a heading line (type, reason, age, count, source, object) and its
// message wrapped beneath.
package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/summary"
)

// Lines renders events (already newest first) for a pane of the given
// width; withObject adds the object each event is about (for the events of
// a controller and what it owns).
func Lines(evs []kube.Event, withObject bool, now time.Time, s theme.Styles, width int) []string {
	if len(evs) == 0 {
		return []string{s.Muted.Render("No events. Kubernetes keeps events for an hour by default.")}
	}
	warnings := 0
	for _, e := range evs {
		if e.Type == "Warning" {
			warnings++
		}
	}
	lines := []string{s.Muted.Render(fmt.Sprintf("%s, %s, newest first", plural(len(evs), "event"), plural(warnings, "warning"))), ""}
	for _, e := range evs {
		typ := s.OK.Render(fmt.Sprintf("%-7s", e.Type))
		if e.Type == "Warning" {
			typ = s.Error.Render("Warning")
		}
		head := typ + " " + s.Title.Render(termtext.Clean(e.Reason))
		if withObject {
			head += " " + s.Accent.Render(termtext.Clean(e.Object))
		}
		head += s.Muted.Render(fmt.Sprintf(" %s ×%d %s", summary.Age(e.Last, now), e.Count, termtext.Clean(e.Source)))
		lines = append(lines, head)
		for _, l := range strings.Split(ansi.Wordwrap(termtext.Clean(e.Message), max(width-4, 20), " "), "\n") {
			lines = append(lines, "    "+l)
		}
	}
	return lines
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
