// Package yamlview renders an object as highlighted YAML or JSON lines for
// the YAML tab, with a Secret's values masked unless revealed.
package yamlview

import (
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
)

// Mask replaces each Secret value on screen.
const Mask = kube.SecretMask

// Masked reports whether obj has values Lines hides unless revealed.
func Masked(obj *unstructured.Unstructured) bool { return kube.IsSecret(obj) }

// Lines renders obj as YAML (or JSON) lines, highlighted with s. A Secret's
// data and stringData values (also those in its last-applied
// configuration) show as Mask unless reveal is set; revealed, data shows
// decoded.
func Lines(obj *unstructured.Unstructured, asJSON, reveal bool, s theme.Styles) ([]string, error) {
	shown := kube.MaskSecret(obj)
	if reveal {
		shown = kube.RevealSecret(obj)
	}
	content := shown.Object
	var text []byte
	var err error
	if asJSON {
		text, err = termtext.JSON(content)
	} else {
		text, err = termtext.YAML(content)
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(text), "\n"), "\n")
	for i, l := range lines {
		lines[i] = highlight(termtext.Clean(l), s)
	}
	return lines, nil
}

// keyPattern finds a mapping key: optional "- ", then a YAML or JSON key.
var keyPattern = regexp.MustCompile(`^(\s*(?:- )?)("(?:[^"\\]|\\.)*"|[^\s:"'#-][^:]*?)(:)(\s|$)`)

// highlight colours one line: keys, then the scalar value after them.
func highlight(line string, s theme.Styles) string {
	if strings.HasPrefix(strings.TrimSpace(line), "#") {
		return s.Muted.Render(line)
	}
	m := keyPattern.FindStringSubmatchIndex(line)
	if m == nil {
		indent := len(line) - len(strings.TrimLeft(line, " -"))
		return line[:indent] + value(line[indent:], s)
	}
	return line[:m[3]] + s.Accent.Render(line[m[4]:m[5]]) + line[m[6]:m[7]] + value(line[m[7]:], s)
}

// value colours a scalar: strings, numbers and booleans differently.
func value(v string, s theme.Styles) string {
	trimmed := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), ","))
	switch {
	case trimmed == "" || trimmed == "{" || trimmed == "[" || trimmed == "{}" || trimmed == "[]" || trimmed == "|" || trimmed == "|-":
		return v
	case trimmed == "true" || trimmed == "false" || trimmed == "null":
		return s.Warn.Render(v)
	case isNumber(trimmed):
		return s.Title.Render(v)
	}
	return s.OK.Render(v)
}

func isNumber(v string) bool {
	if v == "" {
		return false
	}
	for i, r := range v {
		if (r < '0' || r > '9') && r != '.' && !(i == 0 && r == '-') {
			return false
		}
	}
	return true
}
