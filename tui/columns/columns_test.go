package columns

import (
	"slices"
	"testing"
)

func TestNaturalFitsTheWidestHeadOrCellInCells(t *testing.T) {
	cols := []Column{{Name: "NAME"}, {Name: "NOTE"}}
	rows := [][]string{{"web", "ok"}, {"日本語のなまえ", "é"}, {"api-server", "ready"}}
	got := Natural(cols, 1, len(rows), func(r int) []string { return rows[r] })
	// 日本語のなまえ is 21 bytes but 14 cells; é, 2 bytes, is one.
	if want := []int{14, 5}; !slices.Equal(got, want) {
		t.Errorf("Natural = %v, want %v", got, want)
	}
}

func TestPadFillsOrCutsToTheWidth(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width int
		want  string
	}{{"abc", 5, "abc  "}, {"abcdef", 4, "abc…"}, {"日本", 4, "日本"}, {"日本語", 5, "日本…"}, {"é", 3, "é  "}} {
		if got := Pad(tc.text, tc.width); got != tc.want {
			t.Errorf("Pad(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}
