package bar

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/wecs-tui/wecs/theme"
)

func TestFillAndFigures(t *testing.T) {
	s := theme.For(true)
	for _, c := range []struct {
		used, total int64
		want        string
	}{
		{0, 100, "░░░░░░░░░░   0%"},
		{50, 100, "█████░░░░░  50%"},
		{125, 1000, "█▎░░░░░░░░  12%"},
		{150, 100, "██████████ 150%"},
		{1, 0, "░░░░░░░░░░    —"},
	} {
		if got := ansi.Strip(Fill(c.used, c.total, 10, s)); got != c.want {
			t.Errorf("Fill(%d, %d) = %q, want %q", c.used, c.total, got, c.want)
		}
	}
	got := strings.Join([]string{CPU(250), CPU(1500), CPU(12000), Bytes(512 << 20), Bytes(16 << 30), Bytes(1536 << 20), Bytes(100)}, " ")
	if want := "250m 1.5 12 512Mi 16Gi 1.5Gi 100"; got != want {
		t.Errorf("figures %q, want %q", got, want)
	}
}
