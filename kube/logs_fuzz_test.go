package kube

import (
	"strings"
	"testing"
	"time"

	"github.com/wecs-tui/wecs/internal/termtext"
)

// FuzzCopyLinesKeepsEveryLine: whatever a container writes after the
// server's timestamps, the stream is cut into lines without a panic, each
// line's text is what followed its timestamp, and once cleaned it holds
// no raw control or format character.
func FuzzCopyLinesKeepsEveryLine(f *testing.F) {
	for _, s := range []string{
		"2026-11-28T04:00:00.123456789Z INFO plain\n",
		"2026-11-28T04:00:00Z Ok\x1b]52;c;aGk=\x07\x1b[2J\x1b[H\r\n2026-11-28T04:00:01Z \u009b2J \u009d0;t\u009c\n",
		"\x1b]0;title\x07 no timestamp\n\xff\xfe\n",
		"2026-13-45T99:99:99Z \u202eevil\u202c",
		"2026-11-28T04:00:00+02:00 {\"msg\":\"\\u009b\"}\n\n\n",
		strings.Repeat("\x1b[", 40000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stream string) {
		out := make(chan LogLine, strings.Count(stream, "\n")+1)
		_, _, _ = copyLines(t.Context(), strings.NewReader(stream), LogSource{Pod: "web"}, time.Time{}, 0, out)
		close(out)
		var got []LogLine
		for l := range out {
			got = append(got, l)
		}
		raw := strings.SplitAfter(stream, "\n")
		if raw[len(raw)-1] == "" {
			raw = raw[:len(raw)-1]
		}
		// A line not after the last timestamp is skipped (it was sent
		// before a reconnect), so the sent lines are the stream's in order.
		i := 0
		for _, l := range got {
			for i < len(raw) && !sentAs(strings.TrimRight(raw[i], "\r\n"), l) {
				i++
			}
			if i == len(raw) {
				t.Fatalf("%.80q: line %.80q (at %v) is not one of the stream's", stream, l.Text, l.Time)
			}
			i++
			if cleaned := termtext.Clean(l.Text); strings.ContainsFunc(cleaned, termtext.Unsafe) {
				t.Fatalf("line %.80q still unsafe once cleaned: %.80q", l.Text, cleaned)
			}
		}
		if len(raw) > 0 && len(got) == 0 {
			t.Fatalf("%.80q: no line sent", stream)
		}
	})
}

// sentAs reports whether a stream line came out as l: its text after the
// timestamp, or the whole line when it has none.
func sentAs(line string, l LogLine) bool {
	if l.Time.IsZero() {
		return l.Text == line
	}
	return strings.HasSuffix(line, " "+l.Text) || (l.Text == "" && !strings.Contains(line, " "))
}
