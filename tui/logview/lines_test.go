package logview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

func TestDetectLevel(t *testing.T) {
	for text, want := range map[string]Level{
		"ERROR cannot reach db":                       LevelError,
		"FATAL giving up":                             LevelError,
		"2026-11-21 WARN slow request":                LevelWarn,
		"level=info msg=started":                      LevelInfo,
		"[DEBUG] cache hit":                           LevelDebug,
		`{"level":"error","msg":"payment declined"}`:  LevelError,
		`{"severity":"WARNING","message":"retrying"}`: LevelWarn,
		`{"msg":"no level here"}`:                     LevelNone,
		"127.0.0.1 GET /api/orders 200":               LevelNone,
		"an information leak":                         LevelNone,
	} {
		if got := DetectLevel(text); got != want {
			t.Errorf("DetectLevel(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestMatcher(t *testing.T) {
	for _, c := range []struct {
		pattern, text string
		want          bool
	}{
		{"timeout", "read TIMEOUT after 5s", true},
		{"timeout", "all good", false},
		{"!timeout", "all good", true},
		{`/^ERROR \d+/`, "ERROR 42 failed", true},
		{`/^ERROR \d+/`, "an ERROR 42", false},
		{`!/^(INFO|DEBUG)/`, "INFO started", false},
	} {
		m, err := NewMatcher(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Match(c.text); got != c.want {
			t.Errorf("%q matches %q: %v, want %v", c.pattern, c.text, got, c.want)
		}
	}
	if _, err := NewMatcher("/[/"); err == nil {
		t.Error("a bad regular expression is accepted")
	}
	m, _ := NewMatcher("ab")
	if got := fmt.Sprint(m.Spans("xAByab")); got != "[[1 3] [4 6]]" {
		t.Errorf("spans %s", got)
	}
}

func TestRingKeepsTheLastLines(t *testing.T) {
	r := newRing(3)
	for i := range 5 {
		r.push(entry{line: kube.LogLine{Text: fmt.Sprint(i)}})
	}
	var got []string
	for i := range r.len() {
		got = append(got, r.at(i).line.Text)
	}
	if fmt.Sprint(got) != "[2 3 4]" || r.first() != 2 {
		t.Errorf("ring holds %v, first seq %d", got, r.first())
	}
}

func TestPrettyAndColour(t *testing.T) {
	if got := Pretty(`{"b":1,"a":"x"}`); len(got) != 4 || strings.TrimSpace(got[1]) != `"a": "x",` {
		t.Errorf("pretty %q", got)
	}
	if got := Pretty("plain"); len(got) != 1 || got[0] != "plain" {
		t.Errorf("pretty plain %q", got)
	}
	s := theme.For(true)
	if got := Colour("INFO started", LevelInfo, s); ansi.Strip(got) != "INFO started" || !strings.HasPrefix(got, s.Accent.Render("INFO")) {
		t.Errorf("info colour %q", got)
	}
}

// TestFollowingShowsTheNewestAndScrollingPauses feeds lines through Update
// as the stream does.
func TestFollowingShowsTheNewestAndScrollingPauses(t *testing.T) {
	m := followed(100)
	m.SetSize(40, 3)
	m.Update(linesMsg{seq: m.seq, lines: batch(10, 0)})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "/api/orders/9 ") {
		t.Fatalf("following does not show the newest line:\n%s", v)
	}
	m.Update(keyPress("k"))
	m.Update(linesMsg{seq: m.seq, lines: batch(10, 10)})
	if v := ansi.Strip(m.View()); strings.Contains(v, "/api/orders/19 ") || !strings.Contains(m.Title(), "paused") {
		t.Errorf("scrolled up, new lines still moved the view:\n%s\n%s", v, m.Title())
	}
	m.Update(keyPress("G"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "/api/orders/19 ") {
		t.Errorf("G does not follow again:\n%s", v)
	}
}
