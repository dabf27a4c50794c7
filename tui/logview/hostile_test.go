package logview

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

// hostileLogSeeds are log lines and patterns a terminal would obey if they
// reached it as they are, plain and inside JSON (raw and \u-escaped).
var hostileLogSeeds = []struct{ line, pattern string }{
	{"INFO plain line", "info"},
	{"ERROR Ok\x1b]52;c;aGk=\x07\x1b[2J\x1b[H", "/52;c/"},
	{`{"level":"error","msg":"\u001b]0;title\u0007 \u009b2J \u009d0;t\u009c"}`, "!debug"},
	{`{"level":"warn","msg":"\u202eevil\u202c \u2066iso\u2069 zero\u200bwidth \u007f"}`, `/\x{202e}/`},
	{"{\"level\":\"info\",\"msg\":\"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\"}", "link"},
	{"\x1bP+q544e\x1b\\ \u009b2J \xff\xfe level=warn", "/(/"},
	{"{\"msg\":\"\xff\"}", "\x1b"},
	{`{"a":{"b":[1,"\u0000",{"c":"\u2028"}]}}`, "/./"},
	{strings.Repeat("\x1b[", 3000), strings.Repeat("a", 100)},
}

// FuzzLogViewShowsAnyLineSafely: whatever a container logs and whatever
// pattern is typed, detecting the level, filtering, searching, wrapping
// and pretty-printing draw no raw control or format character. Plain
// styles render no escape sequences, so every one left came from the line.
func FuzzLogViewShowsAnyLineSafely(f *testing.F) {
	for _, s := range hostileLogSeeds {
		f.Add(s.line, s.pattern)
	}
	f.Fuzz(func(t *testing.T, line, pattern string) {
		_ = DetectLevel(line)
		for _, pretty := range []bool{false, true} {
			m := New(nil, theme.Styles{}, 10)
			m.target = &kube.Object{Cluster: "cluster1", Namespace: "shop", Name: "web", Kind: "Pod"}
			m.sources = map[kube.LogSource]bool{}
			m.SetSize(60, 20)
			m.wrap, m.numbers, m.timestamps, m.pretty = true, true, true, pretty
			if err := m.Filter(pattern); err != nil && !strings.Contains(pattern, "/") {
				t.Fatalf("Filter(%q): %v", pattern, err)
			}
			_ = m.Search(pattern)
			src := kube.LogSource{Cluster: "cluster1", Namespace: "shop", Pod: "web", Container: "app"}
			m.Update(linesMsg{seq: m.seq, lines: []kube.LogLine{{Source: src, Time: time.Unix(1, 0), Text: line}}, closed: true})
			view := m.View()
			if !utf8.ValidString(view) || strings.ContainsFunc(view, func(r rune) bool { return r != '\n' && termtext.Unsafe(r) }) {
				t.Fatalf("line %.80q, pattern %.40q, pretty=%v: the view keeps a raw control:\n%.600q", line, pattern, pretty, view)
			}
			if !strings.Contains(view, "end of log") {
				t.Fatalf("line %.80q, pattern %.40q: the view lost the log:\n%.600s", line, pattern, view)
			}
		}
	})
}
