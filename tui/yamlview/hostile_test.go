package yamlview

import (
	"strings"
	"testing"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/theme"
)

func configMapHolding(s string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "web", "namespace": "shop", "annotations": map[string]any{s: s}},
		"data": map[string]any{"value": s},
	}}
}

// FuzzLinesShowsAnyTextSafely: whatever a ConfigMap holds, the YAML and JSON
// tabs show it (no error) without a raw control or format character. Plain
// styles render no escape sequences, so every one left came from the object.
func FuzzLinesShowsAnyTextSafely(f *testing.F) {
	for _, s := range []string{"plain", "Ok\x1b]52;c;aGk=\x07\x1b[2J", "\u009b2J\u009d0;t\u009c", "\u202eevil\u2066", "\xff\xfe", "a\tb\nc\x00", "y", strings.Repeat("\x1b[", 3000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, asJSON := range []bool{false, true} {
			lines, err := Lines(configMapHolding(s), asJSON, false, theme.Styles{})
			if err != nil {
				t.Fatalf("Lines(json=%v) of %.80q: %v", asJSON, s, err)
			}
			text := strings.Join(lines, "\n")
			if !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return r != '\n' && termtext.Unsafe(r) }) {
				t.Fatalf("Lines(json=%v) of %.80q keeps a raw control:\n%.400q", asJSON, s, text)
			}
			if !strings.Contains(text, "value") {
				t.Fatalf("Lines(json=%v) of %.80q lost the data:\n%.400s", asJSON, s, text)
			}
		}
	})
}
