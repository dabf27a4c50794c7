package logview

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/kube"
)

// streamSource is the pod the generated lines come from.
var streamSource = kube.LogSource{Cluster: "cluster1", Namespace: "shop", Pod: "debug-shell", Container: "app"}

// longLine is line n of a busy log: long enough to wrap two or three times
// at 100 columns, starting and ending with its own mark "#n"; every third
// line is an error and every eleventh a JSON line (pretty-printed as
// several rows, the mark on the row before the closing brace).
func longLine(n int) string {
	level := "INFO"
	if n%3 == 0 {
		level = "ERROR"
	}
	if n%11 == 0 {
		return fmt.Sprintf(`{"at":"#%d","level":%q,"msg":"%s","z":"#%d"}`, n, strings.ToLower(level), strings.Repeat("payment declined by the bank ", 6), n)
	}
	return fmt.Sprintf("#%d %s GET /api/orders/%d took %dms %s #%d", n, level, n, n%300, strings.Repeat("upstream=payments.shop.svc.cluster.local:8080 ", 5), n)
}

func longLines(from, count int) []kube.LogLine {
	out := make([]kube.LogLine, count)
	for i := range out {
		n := from + i
		out[i] = kube.LogLine{Source: streamSource, Time: time.Unix(1_700_000_000, 0).Add(time.Duration(n) * time.Millisecond), Text: longLine(n)}
	}
	return out
}

// newestMatching is the mark of the last of the first upTo lines that
// passes the filter "error".
func newestMatching(upTo int) string {
	for n := upTo - 1; n >= 0; n-- {
		if strings.Contains(strings.ToLower(longLine(n)), "error") {
			return fmt.Sprintf("#%d", n)
		}
	}
	return ""
}

// bottomShows checks that the screen is full and its last row ends the
// line marked mark: the trailing mark of a wrapped line, the leading mark
// of a line cut at the edge, or the closing brace of it pretty-printed.
func bottomShows(view string, height int, mark string) error {
	rows := strings.Split(ansi.Strip(view), "\n")
	if len(rows) != height {
		return fmt.Errorf("%d rows, want %d", len(rows), height)
	}
	last := strings.TrimSpace(rows[len(rows)-1])
	// A wrapped mark may be split between the last two rows.
	tail := strings.TrimSpace(rows[len(rows)-2] + rows[len(rows)-1])
	switch {
	case strings.HasSuffix(tail, " "+mark), strings.HasSuffix(tail, `"z":"`+mark+`"}`):
		return nil
	case strings.HasSuffix(last, "…") && regexp.MustCompile(regexp.QuoteMeta(mark)+`\D`).MatchString(last):
		return nil
	case strings.HasSuffix(last, "}") && strings.HasSuffix(strings.TrimSpace(rows[len(rows)-2]), `"z": "`+mark+`"`):
		return nil
	}
	return fmt.Errorf("the last row is %q, want the end of the line marked %s", last, mark)
}

// TestFollowKeepsTheNewestMatchingLineLastWhateverTheToggles drives the
// Logs tab as on debug-shell: wrapped lines, line numbers, timestamps,
// pretty JSON and a filter, alone and together. Following, the newest line
// that passes the filter must end the screen after every frame; G returns
// to it; paging down stops at it.
func TestFollowKeepsTheNewestMatchingLineLastWhateverTheToggles(t *testing.T) {
	toggles := map[string][]string{
		"wrap":            {"w"},
		"pretty":          {"P"},
		"wrap pretty":     {"w", "P"},
		"numbers time":    {"#", "T"},
		"every toggle":    {"w", "#", "T", "P"},
		"nothing toggled": nil,
	}
	for name, keys := range toggles {
		t.Run(name, func(t *testing.T) {
			m := followed(2000)
			m.SetSize(100, 30)
			for _, k := range keys {
				m.Update(keyPress(k))
			}
			if err := m.Filter("error"); err != nil {
				t.Fatal(err)
			}
			// Enough lines to fill the screen, then a frame's worth at a time.
			m.Update(linesMsg{seq: m.seq, lines: longLines(0, 200)})
			n := 200
			for frame := range 60 {
				m.Update(linesMsg{seq: m.seq, lines: longLines(n, 50)})
				n += 50
				if err := bottomShows(m.View(), 30, newestMatching(n)); err != nil {
					t.Fatalf("frame %d: %v\n%s", frame, err, ansi.Strip(m.View()))
				}
			}
			// Scrolled up, then G: back at the live end, new lines included.
			for _, k := range []string{"k", "k", "k", "g"} {
				m.Update(keyPress(k))
			}
			m.Update(linesMsg{seq: m.seq, lines: longLines(n, 50)})
			n += 50
			if !strings.Contains(m.Title(), "paused") {
				t.Errorf("g did not pause: %s", m.Title())
			}
			m.Update(keyPress("G"))
			if err := bottomShows(m.View(), 30, newestMatching(n)); err != nil {
				t.Errorf("after G: %v\n%s", err, ansi.Strip(m.View()))
			}
			// Paged down from the top: never past the end.
			m.Update(keyPress("g"))
			for range m.ring.len() {
				if strings.Contains(m.Title(), "following") {
					break
				}
				m.Update(keyPress(" "))
				if err := bottomShowsOrAbove(m.View(), 30); err != nil {
					t.Fatalf("paging down: %v\n%s", err, ansi.Strip(m.View()))
				}
			}
			if err := bottomShows(m.View(), 30, newestMatching(n)); err != nil || !strings.Contains(m.Title(), "following") {
				t.Errorf("paged to the end: %v (%s)\n%s", err, m.Title(), ansi.Strip(m.View()))
			}
		})
	}
}

// bottomShowsOrAbove checks that the screen is full: no blank rows past
// the end of the log.
func bottomShowsOrAbove(view string, height int) error {
	rows := strings.Split(ansi.Strip(view), "\n")
	if len(rows) != height {
		return fmt.Errorf("%d rows, want %d", len(rows), height)
	}
	if strings.TrimSpace(rows[len(rows)-1]) == "" {
		return fmt.Errorf("a blank last row")
	}
	return nil
}

// framesPerSecond is how often the UI takes the lines that arrived.
const framesPerSecond = 30

// TestFollowAFastWrappedFilteredLogForAMinute follows 2,000 lines a second
// of long wrapped lines with every toggle and a filter on, for a simulated
// minute, in the batches the program hands over per frame; after every
// frame the newest line that passes the filter is the last one on screen.
func TestFollowAFastWrappedFilteredLogForAMinute(t *testing.T) {
	m := followed(DefaultCapacity)
	m.SetSize(100, 40)
	for _, k := range []string{"w", "#", "T", "P"} {
		m.Update(keyPress(k))
	}
	if err := m.Filter("error"); err != nil {
		t.Fatal(err)
	}
	const perSecond = 2000
	n := 0
	for frame := range 60 * framesPerSecond {
		count := perSecond*(frame+1)/framesPerSecond - n
		m.Update(linesMsg{seq: m.seq, lines: longLines(n, count)})
		n += count
		if err := bottomShows(m.View(), 40, newestMatching(n)); err != nil {
			t.Fatalf("frame %d (%d lines in): %v\n%s", frame, n, err, ansi.Strip(m.View()))
		}
	}
	if n != 60*perSecond || m.ring.len() != DefaultCapacity {
		t.Errorf("%d lines streamed, %d kept", n, m.ring.len())
	}
	// The index holds exactly the kept lines that pass the filter.
	want := 0
	for i := range m.ring.len() {
		if m.passes(m.ring.at(i)) {
			want++
		}
	}
	if m.shown.len() != want || cap(m.shown.seqs) > 2*DefaultCapacity {
		t.Errorf("index of %d lines (array %d), want %d", m.shown.len(), cap(m.shown.seqs), want)
	}
}
