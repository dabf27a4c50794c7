package termtext

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// JSON writes v as indented JSON that is safe to print: besides what
// encoding/json escapes (C0 controls, U+2028, U+2029), DEL, the C1 controls
// and format characters are written as \u escapes too.
func JSON(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return escapeRaw(data, jsonEscape), nil
}

// jsonEscape writes r as JSON's \u escape, a surrogate pair above U+FFFF.
func jsonEscape(r rune) string {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return fmt.Sprintf(`\u%04x\u%04x`, hi, lo)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// escapeRaw rewrites every unsafe rune of encoder output other than the
// newlines between lines with escape. The encoders write such runes only
// inside quoted strings, where the escapes are valid.
func escapeRaw(data []byte, escape func(rune) string) []byte {
	if !bytes.ContainsFunc(data, func(r rune) bool { return r != '\n' && Unsafe(r) }) {
		return data
	}
	var b bytes.Buffer
	b.Grow(len(data) + 64)
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r != '\n' && Unsafe(r) {
			b.WriteString(escape(r))
		} else {
			b.Write(data[:size])
		}
		data = data[size:]
	}
	return b.Bytes()
}

// YAML writes v (as its JSON form: field names from json tags) as YAML
// that is valid and safe to print, whatever its strings hold: a string with
// control or format characters is double-quoted, with those characters
// escaped. The text reads back to the same value.
func YAML(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	node, err := yamlNode(dec)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return escapeRaw(out.Bytes(), yamlEscape), nil
}

// yamlEscape writes r as a YAML double-quoted escape.
func yamlEscape(r rune) string {
	switch {
	case r <= 0xff:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xffff:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}

// yamlNode reads one JSON value from dec as a YAML node, keeping the order
// of object keys.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		kind, end := yaml.MappingNode, json.Delim('}')
		if t == '[' {
			kind, end = yaml.SequenceNode, ']'
		}
		n := &yaml.Node{Kind: kind}
		for dec.More() {
			child, err := yamlNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		if tok, err := dec.Token(); err != nil || tok != end {
			return nil, errors.Join(errors.New("unbalanced JSON"), err)
		}
		if len(n.Content) == 0 {
			n.Style = yaml.FlowStyle
		}
		return n, nil
	case string:
		// Encode quotes what YAML 1.1 readers take for another type ("y", "1:20").
		n := &yaml.Node{}
		if err := n.Encode(t); err != nil {
			return nil, err
		}
		if strings.ContainsFunc(t, func(r rune) bool { return r != '\n' && r != '\t' && Unsafe(r) }) {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
