package termtext

import "testing"

func TestCleanDropsEscapesAndControls(t *testing.T) {
	for in, want := range map[string]string{
		"web":                       "web",
		"\x1b[31mred\x1b[0m":        "red",
		"a\x1b]0;title\x07b":        "ab",
		"tab\there\r\nbell\x07\x7f": "tab herebell",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}
