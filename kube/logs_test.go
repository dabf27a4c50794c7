package kube

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReconnectSkipsWhatWasSent replays the server's answer to a reconnect
// (from the last line's second, so overlapping) and checks that each line
// reaches the reader exactly once, same-nanosecond lines included.
func TestReconnectSkipsWhatWasSent(t *testing.T) {
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	stamp := func(ms int) string { return base.Add(time.Duration(ms) * time.Millisecond).Format(time.RFC3339Nano) }
	first := strings.Join([]string{stamp(100) + " a", stamp(200) + " b", stamp(200) + " c"}, "\n") + "\n"
	// The reconnect asks from second 12:00:00, so a, b and c come again.
	second := strings.Join([]string{stamp(100) + " a", stamp(200) + " b", stamp(200) + " c", stamp(200) + " d", stamp(300) + " e"}, "\n") + "\n"

	out := make(chan LogLine, 10)
	last, sent, err := copyLines(context.Background(), strings.NewReader(first), LogSource{}, time.Time{}, 0, out)
	if err == nil || sent != 2 || !last.Equal(base.Add(200*time.Millisecond)) {
		t.Fatalf("after the first stream: last %v, sent at last %d, err %v", last, sent, err)
	}
	if _, _, err := copyLines(context.Background(), strings.NewReader(second), LogSource{}, last, sent, out); err == nil {
		t.Fatal("want EOF")
	}
	close(out)
	var got []string
	for l := range out {
		got = append(got, l.Text)
	}
	if fmt.Sprint(got) != "[a b c d e]" {
		t.Errorf("lines %v, want each once", got)
	}
}

func TestSplitTimestamp(t *testing.T) {
	ts, text := splitTimestamp("2026-11-21T12:00:00.123456789Z hello world")
	if text != "hello world" || ts.Nanosecond() != 123456789 {
		t.Errorf("got %v %q", ts, text)
	}
	if ts, text := splitTimestamp("no stamp here"); !ts.IsZero() || text != "no stamp here" {
		t.Errorf("got %v %q", ts, text)
	}
}
