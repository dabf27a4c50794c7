package tui

import (
	"bytes"
	"image/color"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

func init() { time.Local = time.UTC } // the screens show local times

// clock matches the header's wall-clock time of the last change.
var clock = regexp.MustCompile(`\d\d:\d\d(:\d\d)?`)

// goldenScreen runs the model in a real bubbletea program at 120×32, walks
// to the failing pod, opens a tab, and returns the final screen as a
// terminal of the given profile would draw it, once the tab shows loaded.
func goldenScreen(t *testing.T, profile colorprofile.Profile, background color.Color, tab, loaded string) string {
	t.Helper()
	return goldenKeys(t, profile, background, loaded, "/crashy", "enter", tab)
}

// goldenKeys is goldenScreen after any keys.
func goldenKeys(t *testing.T, profile colorprofile.Profile, background color.Color, loaded string, ks ...string) string {
	t.Helper()
	tm := teatest.NewTestModel(t, newModel(), teatest.WithInitialTermSize(120, 32))
	if background != nil {
		tm.Send(tea.BackgroundColorMsg{Color: background})
	}
	for _, k := range keys(ks...) {
		tm.Send(k)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(loaded)) },
		teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	return rendered(t, final, profile)
}

// rendered is the model's screen as a terminal of the profile draws it.
func rendered(t *testing.T, final Model, profile colorprofile.Profile) string {
	t.Helper()
	var out strings.Builder
	w := &colorprofile.Writer{Forward: &out, Profile: profile}
	if _, err := w.WriteString(final.View().Content); err != nil {
		t.Fatal(err)
	}
	return clock.ReplaceAllString(out.String(), "hh:mm:ss")
}

var white = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}

func TestGoldenSummaryDark(t *testing.T) {
	golden.RequireEqual(t, goldenScreen(t, colorprofile.ANSI256, nil, "d", "PodFailed"))
}

func TestGoldenSummaryLight(t *testing.T) {
	golden.RequireEqual(t, goldenScreen(t, colorprofile.ANSI256, white, "d", "PodFailed"))
}

func TestGoldenEventsSixteenColours(t *testing.T) {
	golden.RequireEqual(t, goldenScreen(t, colorprofile.ANSI, nil, "v", "×7"))
}

// With NO_COLOR, the screen has no colour at all, and every state still
// reads as a word and a glyph.
func TestGoldenYAMLNoColor(t *testing.T) {
	screen := goldenScreen(t, colorprofile.Ascii, nil, "y", "kind: Pod")
	if regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|38;|48;)`).MatchString(screen) {
		t.Error("a colour under NO_COLOR")
	}
	for _, want := range []string{"✗ Failed", "● Connected", "○ Disconnected"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q without colour", want)
		}
	}
	golden.RequireEqual(t, screen)
}

// The fleet views: the clusters table and the health check. The clusters
// view reads the selected cluster's details from the ITS: the screen is
// taken once that read is in, not as soon as the table shows.
func TestGoldenClustersView(t *testing.T) {
	m := send(sized(120, 32), keys("C")...)
	golden.RequireEqual(t, rendered(t, m, colorprofile.ANSI256))
}

func TestGoldenHealthCheckNoColor(t *testing.T) {
	golden.RequireEqual(t, goldenKeys(t, colorprofile.Ascii, nil, "Fleet health check", "H"))
}
