package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestCleanEscapesWhatATerminalWouldObey(t *testing.T) {
	for in, want := range map[string]string{
		"web":                           "web",
		"\x1b[31mred\x1b[0m":            `\x1b[31mred\x1b[0m`,
		"a\x1b]0;title\x07b":            `a\x1b]0;title\x07b`,
		"tab\there\r\nbell\x7f":         `tab here\r\nbell\x7f`,
		"csi\u009b2J osc\u009d52":       `csi\u009b2J osc\u009d52`,
		"dcs\x1bPq\x1b\\":               `dcs\x1bPq\x1b\`,
		"apc\u009fx pm\u009e sos\u0098": `apc\u009fx pm\u009e sos\u0098`,
		"evil\u202etxt.exe":             `evil\u202etxt.exe`,
		"iso\u2066late\u2069":           `iso\u2066late\u2069`,
		"zero\u200bwidth\ufeff":         `zero\u200bwidth\ufeff`,
		"bad\xff\xc3utf8":               `bad\xff\xc3utf8`,
		"tag\U000E0041":                 `tag\U000e0041`,
		"line\u2028sep":                 `line\u2028sep`,
		"café ✓ 世界":                     "café ✓ 世界",
		"replacement \ufffd ok":         "replacement \ufffd ok",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanIsLinearOnVeryLongLines(t *testing.T) {
	long := strings.Repeat("\x1b[", 1<<20) + strings.Repeat("\u009b", 1<<18) + strings.Repeat("x", 1<<22)
	got := Clean(long)
	if !strings.HasSuffix(got, strings.Repeat("x", 1<<22)) || !strings.HasPrefix(got, `\x1b[\x1b[`) {
		t.Fatalf("Clean of a long line lost content: %d bytes", len(got))
	}
	assertSafe(t, long, got)
}

// assertSafe fails when out, drawn on a terminal, could carry a control,
// format character or invalid byte.
func assertSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Clean(%q) is not UTF-8: %q", in, out)
	}
	for _, r := range out {
		if Unsafe(r) || r == '\t' {
			t.Fatalf("Clean(%q) = %q keeps %U", in, out, r)
		}
	}
}

// hostileSeeds are the strings the fuzz tests start from.
var hostileSeeds = []string{
	"", "plain", "Ok\x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b[H", "\x1b]0;title\x07", "\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\",
	"\x1bP+q\x1b\\", "\u009b31m\u009d0;t\u009c", "\u202eevil\u202c\u2066x\u2069", "\xff\xfe\xc3(", "a\tb\nc\rd\x00e\x7f",
	"\U000E0001\U000E0041", "{\"level\":\"info\",\"msg\":\"\x1b[2J\"}", "key: \"\\e\"\n", strings.Repeat("\x1b[", 5000),
}

func FuzzClean(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		assertSafe(t, s, out)
		if Clean(out) != out {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
		// Every printable character survives: nothing is silently dropped.
		for _, r := range s {
			if r != utf8.RuneError && r != '\t' && !Unsafe(r) && !strings.ContainsRune(out, r) {
				t.Fatalf("Clean(%q) = %q lost %q", s, out, r)
			}
		}
	})
}

func TestWriterKeepsLinesAndTabsAndEscapesTheRest(t *testing.T) {
	var out strings.Builder
	in := "NAME\tREASON\nweb\tOk\x1b]52;c;aGk=\x07\u009b2J\u202e\xff\n"
	n, err := Writer(&out).Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if want := "NAME\tREASON\nweb\tOk\\x1b]52;c;aGk=\\x07\\u009b2J\\u202e\\xff\n"; out.String() != want {
		t.Errorf("Writer wrote %q, want %q", out.String(), want)
	}
}

func TestMiddleKeepsBothEndsWithinTheWidth(t *testing.T) {
	a := "payments-0123456789abcdef-appliedmanifestwork-frontend"
	b := "payments-0123456789abcdef-appliedmanifestwork-backend"
	for _, width := range []int{12, 20, 30} {
		ma, mb := Middle(a, width), Middle(b, width)
		if ma == mb {
			t.Errorf("width %d: %q and %q both became %q", width, a, b, ma)
		}
		for _, m := range []string{ma, mb} {
			if w := ansi.StringWidth(m); w != width || !strings.Contains(m, "…") || !strings.HasPrefix(m, "pay") {
				t.Errorf("width %d: %q (%d cells)", width, m, w)
			}
		}
	}
	if got := Middle("short", 10); got != "short" {
		t.Errorf("a name that fits changed: %q", got)
	}
	if got := Middle("名前空間の名前", 7); ansi.StringWidth(got) > 7 {
		t.Errorf("wide runes overflow: %q (%d cells)", got, ansi.StringWidth(got))
	}
	if got := Middle("abc", 0); got != "" {
		t.Errorf("width 0 gave %q", got)
	}
}
