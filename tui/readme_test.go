package tui

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wecs-tui/wecs/tui/keymap"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the README's key tables from the bindings")

const (
	keysBegin = "<!-- key tables: written by go test ./tui -run TestREADMEKeyTables -update-readme -->\n"
	keysEnd   = "<!-- end of key tables -->\n"
)

// readmeWalk reaches every binding the README's tables list.
var readmeWalk = [][]string{
	nil,
	{"/crashy", "enter"},
	{"/crashy", "enter", "v"},
	{"/crashy", "enter", "v", "/", "x", "enter"},
	{"/crashy", "enter", "L"},
	{"C"},
	{"U", "enter"},
	{"H"},
	{"B"},
	{"W"},
	{"W", "enter"},
	{":pf", "enter"},
	{":pods", "enter"},
	{":pods", "enter", "/", "web", "enter"},
	{":pods", "enter", "T"},
}

// keyTables are the README's tables of keys, one per section of the help,
// from the bindings of every mode the walk reaches.
func keyTables(t *testing.T) string {
	var groups []keymap.Group
	add := func(g keymap.Group) {
		i := slices.IndexFunc(groups, func(h keymap.Group) bool { return h.Title == g.Title })
		if i < 0 {
			groups = append(groups, keymap.Group{Title: g.Title})
			i = len(groups) - 1
		}
		for _, e := range g.Entries {
			if !slices.ContainsFunc(groups[i].Entries, func(f keymap.Entry) bool { return f.Label == e.Label && f.Long == e.Long }) {
				groups[i].Entries = append(groups[i].Entries, e)
			}
		}
	}
	for _, path := range readmeWalk {
		m := walkTo(t, false, path)
		for _, g := range m.groups() {
			add(g)
		}
	}
	// The YAML of a Secret, once loaded, has its reveal key.
	secret := send(walkTo(t, false, []string{"/db", "enter", "y"}))
	for _, g := range secret.groups() {
		add(g)
	}
	var b strings.Builder
	for _, g := range groups {
		b.WriteString("\n| " + g.Title + " | |\n| --- | --- |\n")
		for _, e := range g.Entries {
			b.WriteString("| `" + e.Label + "` | " + strings.ReplaceAll(e.Long, "|", "\\|") + " |\n")
		}
	}
	return b.String() + "\n"
}

// TestREADMEKeyTablesAreTheBindings: the README's key tables are written
// from the bindings, and must say what they say.
func TestREADMEKeyTablesAreTheBindings(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	begin, end := strings.Index(readme, keysBegin), strings.Index(readme, keysEnd)
	if begin < 0 || end < begin {
		t.Fatalf("the README lacks the key tables' markers %q … %q", keysBegin, keysEnd)
	}
	got, want := readme[begin+len(keysBegin):end], keyTables(t)
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile("../README.md", []byte(readme[:begin+len(keysBegin)]+want+readme[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README's key tables are not the bindings; run go test ./tui -run TestREADMEKeyTables -update-readme. The bindings say:\n%s", want)
}
