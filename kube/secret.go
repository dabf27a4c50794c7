package kube

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// SecretMask stands for each value of a Secret that is not revealed.
const SecretMask = "••••••••"

// lastApplied is kubectl's copy of the object it last applied: for a Secret,
// its values too.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// IsSecret reports whether obj is a Secret (whose values are masked).
func IsSecret(obj *unstructured.Unstructured) bool {
	return obj != nil && obj.GetKind() == "Secret" && obj.GetAPIVersion() == "v1"
}

// MaskSecret returns a copy of a Secret with every value of data and
// stringData replaced by SecretMask, in the object and in its
// last-applied-configuration annotation (masked whole when it is not a
// JSON object). Any other object is returned as it is.
func MaskSecret(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if !IsSecret(obj) {
		return obj
	}
	out := obj.DeepCopy()
	maskValues(out.Object)
	if annotations := out.GetAnnotations(); annotations[lastApplied] != "" {
		var applied map[string]any
		text := SecretMask
		if json.Unmarshal([]byte(annotations[lastApplied]), &applied) == nil {
			maskValues(applied)
			if b, err := json.Marshal(applied); err == nil {
				text = string(b)
			}
		}
		annotations[lastApplied] = text
		out.SetAnnotations(annotations)
	}
	return out
}

func maskValues(secret map[string]any) {
	for _, field := range []string{"data", "stringData"} {
		if values, ok := secret[field].(map[string]any); ok {
			for k := range values {
				values[k] = SecretMask
			}
		}
	}
}

// RevealSecret returns a copy of a Secret with its data values decoded from
// base64 to text; a value that is not printable text shows Go-escaped
// (\x00, \u00e9 …) and one that is not base64 stays as it is.
func RevealSecret(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if !IsSecret(obj) {
		return obj
	}
	out := obj.DeepCopy()
	values, _ := out.Object["data"].(map[string]any)
	for k, v := range values {
		s, ok := v.(string)
		if !ok {
			continue
		}
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
			values[k] = secretText(raw)
		}
	}
	return out
}

// secretText is raw as it is when it is printable text (line breaks and
// tabs included), else escaped.
func secretText(raw []byte) string {
	if utf8.Valid(raw) {
		printable := true
		for _, r := range string(raw) {
			if !unicode.IsPrint(r) && r != '\n' && r != '\t' && r != '\r' {
				printable = false
				break
			}
		}
		if printable {
			return string(raw)
		}
	}
	quoted := strconv.QuoteToGraphic(string(raw))
	return quoted[1 : len(quoted)-1]
}
