// Package keymap declares key bindings as data. One declaration per key
// drives the dispatch, the footer, the "?" help and the reason shown when
// a disabled key is pressed.
package keymap

import (
	"cmp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/tui/status"
)

// Binding is one key (or several with one meaning) of a model M.
type Binding[M any] struct {
	// Keys are the key names as bubbletea reports them ("ctrl+d", "down").
	Keys []string
	// Label is how the help writes the keys; the keys joined by " / " if empty.
	Label string
	// Short is the footer's entry, its key glyph first ("↑↓ move"); ""
	// keeps it out of the footer.
	Short string
	// Long is the help's line.
	Long string
	// Active says whether the binding exists now (nil: always); an
	// inactive binding is neither dispatched nor listed.
	Active func(m *M) bool
	// Disabled says why the key does nothing now (the whole message, e.g.
	// "edit: select an object first"), or "" when it acts.
	Disabled func(m *M) string
	// Run handles the key (one of Keys).
	Run func(m *M, key tea.KeyPressMsg) tea.Cmd
}

// Map is a titled group of bindings: a view's keys, or shared ones.
type Map[M any] struct {
	Title    string
	Bindings []Binding[M]
	// Footer are the keys the footer names, the most needed first.
	Footer []string
}

// lookup finds the active binding of a key.
func (km Map[M]) lookup(m *M, key string) (Binding[M], bool) {
	for _, b := range km.Bindings {
		if slices.Contains(b.Keys, key) && (b.Active == nil || b.Active(m)) {
			return b, true
		}
	}
	return Binding[M]{}, false
}

// Dispatch runs the binding of key on m; handled is false when no active
// binding has the key. A disabled binding's command puts its reason on
// the status line.
func (km Map[M]) Dispatch(m *M, key tea.KeyPressMsg) (cmd tea.Cmd, handled bool) {
	b, ok := km.lookup(m, key.String())
	if !ok {
		return nil, false
	}
	if b.Disabled != nil {
		if why := b.Disabled(m); why != "" {
			return status.Problem(why), true
		}
	}
	return b.Run(m, key), true
}

// Handle dispatches a key press; any other message is not the map's.
func (km Map[M]) Handle(m *M, msg tea.Msg) tea.Cmd {
	if key, ok := msg.(tea.KeyPressMsg); ok {
		cmd, _ := km.Dispatch(m, key)
		return cmd
	}
	return nil
}

// Describe is the map's active bindings as they stand for m.
func (km Map[M]) Describe(m *M) Group {
	g := Group{Title: km.Title, Footer: km.Footer}
	for _, b := range km.Bindings {
		if b.Active != nil && !b.Active(m) {
			continue
		}
		e := Entry{Keys: b.Keys, Label: b.Label, Short: b.Short, Long: b.Long}
		if e.Label == "" {
			e.Label = strings.Join(b.Keys, " / ")
		}
		if b.Disabled != nil {
			e.Disabled = b.Disabled(m)
		}
		// The two halves of a pair (↑ and ↓) are one line of the help.
		if n := len(g.Entries); n > 0 && g.Entries[n-1].Label == e.Label && g.Entries[n-1].Long == e.Long && (e.Short == "" || g.Entries[n-1].Short == "") {
			last := &g.Entries[n-1]
			last.Keys = append(slices.Clone(last.Keys), e.Keys...)
			last.Short = cmp.Or(last.Short, e.Short)
			continue
		}
		g.Entries = append(g.Entries, e)
	}
	return g
}

// Entry is a binding as the footer and the help show it.
type Entry struct {
	Keys               []string
	Label, Short, Long string
	// Disabled is why the key does nothing now, or "".
	Disabled string
}

// Group is a titled list of entries: one section of the help.
type Group struct {
	Title   string
	Entries []Entry
	// Footer are the keys the footer names, the most needed first.
	Footer []string
}

// Has reports whether a group dispatches key.
func (g Group) Has(key string) bool {
	_, ok := g.entry(key)
	return ok
}

// Footer is the footer's entries of the bindings of keys, in that order
// (the most needed first: a narrow terminal cuts the end); a key without
// an active binding or a short help is left out.
func Footer(groups []Group, keys ...string) []string {
	var out []string
	for _, k := range keys {
		for _, g := range groups {
			if e, ok := g.entry(k); ok {
				if e.Short != "" && !slices.Contains(out, e.Short) {
					out = append(out, e.Short)
				}
				break
			}
		}
	}
	return out
}

func (g Group) entry(key string) (Entry, bool) {
	for _, e := range g.Entries {
		if slices.Contains(e.Keys, key) {
			return e, true
		}
	}
	return Entry{}, false
}

// Cursor is what the movement keys move: a list's selection or a text's
// scroll position.
type Cursor interface {
	// Move moves by delta rows, stopping at either end.
	Move(delta int)
	// PageSize is how many rows a page key moves.
	PageSize() int
}

// MoveHelp words the movement keys' help: a row, a page, the ends.
type MoveHelp struct{ Row, Page, Ends, Short string }

// Movement are the movement keys (↑↓ j k, pgup pgdn ctrl+b ctrl+f, g G
// home end) over the cursor of m; after, if set, runs once it moved.
func Movement[M any](words MoveHelp, cursor func(m *M) Cursor, after func(m *M) tea.Cmd) []Binding[M] {
	move := func(delta func(c Cursor) int) func(*M, tea.KeyPressMsg) tea.Cmd {
		return func(m *M, _ tea.KeyPressMsg) tea.Cmd {
			c := cursor(m)
			c.Move(delta(c))
			if after != nil {
				return after(m)
			}
			return nil
		}
	}
	const far = 1 << 30
	row := func(d int) func(*M, tea.KeyPressMsg) tea.Cmd { return move(func(Cursor) int { return d }) }
	page := func(dir int) func(*M, tea.KeyPressMsg) tea.Cmd {
		return move(func(c Cursor) int { return dir * max(c.PageSize(), 1) })
	}
	return []Binding[M]{
		{Keys: []string{"down", "j"}, Label: "↑↓ j k", Short: words.Short, Long: words.Row, Run: row(1)},
		{Keys: []string{"up", "k"}, Label: "↑↓ j k", Long: words.Row, Run: row(-1)},
		{Keys: []string{"pgdown", "ctrl+f"}, Label: "pgup pgdn", Long: words.Page, Run: page(1)},
		{Keys: []string{"pgup", "ctrl+b"}, Label: "pgup pgdn", Long: words.Page, Run: page(-1)},
		{Keys: []string{"home", "g"}, Label: "g G", Long: words.Ends, Run: row(-far)},
		{Keys: []string{"end", "G"}, Label: "g G", Long: words.Ends, Run: row(far)},
	}
}
