package logview

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/theme"
)

// Level is a log line's severity, as far as it can be told.
type Level int

// The levels wecs colours, least severe first.
const (
	LevelNone Level = iota
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
)

// levelWord finds a level word in a plain line: "ERROR …", "level=warn",
// "[INFO]", "W1121 …" is left alone (too easy to get wrong).
var levelWord = regexp.MustCompile(`(?i)\b(?:level=)?"?(trace|debug|info|warn|warning|error|err|fatal|panic|critical)\b`)

// DetectLevel reads the level of a line: a JSON line's level field, or the
// first level word of a plain line.
func DetectLevel(text string) Level {
	if fields, ok := jsonFields(text); ok {
		for _, key := range []string{"level", "lvl", "severity", "log.level"} {
			if v, ok := fields[key].(string); ok {
				return levelOf(v)
			}
		}
		return LevelNone
	}
	if m := levelWord.FindStringSubmatch(text); m != nil {
		return levelOf(m[1])
	}
	return LevelNone
}

func levelOf(word string) Level {
	switch strings.ToLower(word) {
	case "trace", "debug":
		return LevelDebug
	case "info":
		return LevelInfo
	case "warn", "warning":
		return LevelWarn
	case "error", "err", "fatal", "panic", "critical":
		return LevelError
	}
	return LevelNone
}

// jsonFields parses a line that is a JSON object.
func jsonFields(text string) (map[string]any, bool) {
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(trimmed, "{") || !strings.HasSuffix(trimmed, "}") {
		return nil, false
	}
	var fields map[string]any
	if json.Unmarshal([]byte(trimmed), &fields) != nil {
		return nil, false
	}
	return fields, true
}

// Pretty renders a JSON line indented; other lines come back as they are.
// Decoding turns \u escapes back into characters that JSON encoding keeps
// raw (8-bit controls, bidi overrides), so the indented lines are cleaned.
func Pretty(text string) []string {
	fields, ok := jsonFields(text)
	if !ok {
		return []string{text}
	}
	out, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return []string{text}
	}
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		lines[i] = termtext.Clean(l)
	}
	return lines
}

// Colour styles a line by its level: errors red, warnings yellow, info's
// level word blue, debug dim. With NO_COLOR the words still say it.
func Colour(text string, level Level, s theme.Styles) string {
	switch level {
	case LevelError:
		return s.Error.Render(text)
	case LevelWarn:
		return s.Warn.Render(text)
	case LevelDebug:
		return s.Muted.Render(text)
	case LevelInfo:
		if loc := levelWord.FindStringIndex(text); loc != nil {
			return text[:loc[0]] + s.Accent.Render(text[loc[0]:loc[1]]) + text[loc[1]:]
		}
	}
	return text
}

// Matcher selects lines: a plain substring (ignoring case), or a regular
// expression written /like this/; a leading ! keeps the lines that do not
// match.
type Matcher struct {
	Pattern string
	inverse bool
	plain   string
	re      *regexp.Regexp
}

// NewMatcher parses a pattern; a bad regular expression is an error that
// says what is wrong.
func NewMatcher(pattern string) (Matcher, error) {
	m := Matcher{Pattern: pattern}
	p := pattern
	if strings.HasPrefix(p, "!") {
		m.inverse, p = true, p[1:]
	}
	if len(p) >= 2 && strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/") {
		re, err := regexp.Compile(p[1 : len(p)-1])
		if err != nil {
			return Matcher{}, err
		}
		m.re = re
		return m, nil
	}
	m.plain = strings.ToLower(p)
	return m, nil
}

// Active reports whether the matcher selects anything out.
func (m Matcher) Active() bool { return m.re != nil || m.plain != "" }

// Match reports whether a line is selected.
func (m Matcher) Match(text string) bool {
	var found bool
	if m.re != nil {
		found = m.re.MatchString(text)
	} else {
		found = strings.Contains(strings.ToLower(text), m.plain)
	}
	return found != m.inverse
}

// Spans are the byte ranges of text the matcher found (none when inverse),
// for highlighting.
func (m Matcher) Spans(text string) [][]int {
	if m.inverse {
		return nil
	}
	if m.re != nil {
		return m.re.FindAllStringIndex(text, -1)
	}
	if m.plain == "" {
		return nil
	}
	var out [][]int
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		return nil
	}
	for at := 0; ; {
		i := strings.Index(lower[at:], m.plain)
		if i < 0 {
			return out
		}
		out = append(out, []int{at + i, at + i + len(m.plain)})
		at += i + len(m.plain)
	}
}
