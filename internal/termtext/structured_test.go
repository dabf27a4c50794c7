package termtext

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
)

// assertPrintable fails when encoder output carries a raw control or format
// character (the newlines between lines aside) or invalid UTF-8.
func assertPrintable(t *testing.T, what string, out []byte) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Fatalf("%s output is not UTF-8: %q", what, out)
	}
	for _, r := range string(out) {
		if r != '\n' && Unsafe(r) {
			t.Fatalf("%s output keeps %U: %q", what, r, out)
		}
	}
}

// sample is an object as the API returns it, holding s in a key, a value,
// a list and next to values of the other JSON types.
func sample(s string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": "web", "labels": map[string]any{s: s}, "generation": int64(3)},
		"data":     map[string]any{"note": s, "empty": "", "number-like": "123", "multi": "a\nb"},
		"list":     []any{s, true, nil, 1.5, map[string]any{}, []any{}},
	}
}

// roundTrip reads YAML or JSON back into generic values for comparison.
func roundTrip(t *testing.T, format string, out []byte) any {
	t.Helper()
	var v any
	var err error
	if format == "yaml" {
		err = yaml.Unmarshal(out, &v)
	} else {
		err = json.Unmarshal(out, &v)
	}
	if err != nil {
		t.Fatalf("%s output does not parse: %v\n%s", format, err, out)
	}
	return v
}

// canonical is v as JSON decoding gives it (what the encoders start from).
func canonical(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStructuredOutputEscapesAndRoundTrips(t *testing.T) {
	hostile := "Ok\x1b]52;c;aGVsbG8=\x07 \u009b2J \u009d0;t\u009c \u202eevil \x7f \U000E0041"
	for _, format := range []string{"json", "yaml"} {
		encode := JSON
		if format == "yaml" {
			encode = YAML
		}
		out, err := encode(sample(hostile))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		assertPrintable(t, format, out)
		if got, want := roundTrip(t, format, out), canonical(t, sample(hostile)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s does not read back to the object:\n got %#v\nwant %#v\n%s", format, got, want, out)
		}
		for _, visible := range []string{"u202e", "52;c;aGVsbG8="} {
			if !strings.Contains(string(out), visible) {
				t.Errorf("%s output hides %q:\n%s", format, visible, out)
			}
		}
	}
}

func TestYAMLKeepsTheUsualLayout(t *testing.T) {
	out, err := YAML(map[string]any{"kind": "ConfigMap", "items": []any{"a", "b"}, "count": 7, "s": "7", "y": "y", "m": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	want := "count: 7\nitems:\n- a\n- b\nkind: ConfigMap\nm: {}\ns: \"7\"\n\"y\": \"y\"\n"
	if string(out) != want {
		t.Errorf("YAML =\n%s\nwant\n%s", out, want)
	}
}

func FuzzStructuredOutput(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := canonical(t, sample(s))
		for _, format := range []string{"json", "yaml"} {
			encode := JSON
			if format == "yaml" {
				encode = YAML
			}
			out, err := encode(sample(s))
			if err != nil {
				t.Fatalf("%s of %q: %v", format, s, err)
			}
			assertPrintable(t, format, out)
			if got := roundTrip(t, format, out); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s of %q does not read back:\n got %#v\nwant %#v\n%s", format, s, got, want, out)
			}
		}
	})
}
