package yamlview

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/theme"
)

func secret() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "db", "namespace": "shop"},
		"data": map[string]any{"password": "c2VjcmV0"}, "stringData": map[string]any{"user": "admin"},
	}}
}

func plain(lines []string) string { return ansi.Strip(strings.Join(lines, "\n")) }

func TestSecretValuesAreMaskedUnlessRevealed(t *testing.T) {
	s := theme.For(true)
	obj := secret()
	for _, asJSON := range []bool{false, true} {
		lines, err := Lines(obj, asJSON, false, s)
		if err != nil {
			t.Fatal(err)
		}
		text := plain(lines)
		if strings.Contains(text, "c2VjcmV0") || strings.Contains(text, "admin") || strings.Count(text, Mask) != 2 {
			t.Errorf("json=%v: not masked:\n%s", asJSON, text)
		}
		lines, _ = Lines(obj, asJSON, true, s)
		if text := plain(lines); !strings.Contains(text, `"secret"`) && !strings.Contains(text, "password: secret") || !strings.Contains(text, "admin") {
			t.Errorf("json=%v: not revealed:\n%s", asJSON, text)
		}
	}
	if obj.Object["data"].(map[string]any)["password"] != "c2VjcmV0" {
		t.Error("masking changed the object itself")
	}
	if !Masked(obj) || Masked(&unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap", "data": map[string]any{}}}) {
		t.Error("Masked is about Secrets with values only")
	}
}

func TestHighlightColoursKeysAndValuesAndKeepsTheText(t *testing.T) {
	s := theme.For(true)
	for _, line := range []string{"  name: web", "- name: app", "  replicas: 3", "  ready: true", `  "kind": "Pod",`, "metadata:", "  - 8080", "# comment"} {
		got := highlight(line, s)
		if ansi.Strip(got) != line {
			t.Errorf("highlight changed the text of %q: %q", line, ansi.Strip(got))
		}
		if got == line {
			t.Errorf("%q not highlighted", line)
		}
	}
	if got := highlight("  name: web", s); !strings.HasPrefix(got, "  "+s.Accent.Render("name")) {
		t.Errorf("key not styled as a key: %q", got)
	}
}

func TestEscapeSequencesFromTheClusterAreStripped(t *testing.T) {
	obj := &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "evil\x1b[2J"}}}
	lines, _ := Lines(obj, false, false, theme.For(true))
	if strings.Contains(strings.Join(lines, ""), "\x1b[2J") {
		t.Error("an escape sequence from the object reached the screen")
	}
}
