package tree

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/wecs-tui/wecs/kube"
)

// search is the state of a name search across the whole fleet.
type search struct {
	query   string
	matches []kube.Object
	current int
}

// Search finds objects whose name contains query (ignoring case) on every
// cluster, the objects delivered to a WEC that cannot be reached included,
// opens the tree down to the first one and selects it. It returns the
// number of matches.
func (m *Model) Search(query string) int {
	m.search = search{query: query}
	if query == "" {
		return 0
	}
	m.connectIdle(nil)
	q := strings.ToLower(query)
	objs := m.objects.Find(m.filter)
	members := m.source.Members()
	for i := range members {
		objs = append(objs, m.delivered(&members[i])...)
	}
	slices.SortStableFunc(objs, func(a, b kube.Object) int { return cmp.Compare(a.Cluster, b.Cluster) })
	for _, o := range objs {
		if strings.Contains(strings.ToLower(o.Name), q) {
			m.search.matches = append(m.search.matches, o)
		}
	}
	if len(m.search.matches) > 0 {
		m.reveal(m.search.matches[0])
	}
	return len(m.search.matches)
}

// NextMatch moves to the next (dir 1) or previous (dir -1) match, wrapping.
func (m *Model) NextMatch(dir int) {
	n := len(m.search.matches)
	if n == 0 {
		return
	}
	m.search.current = ((m.search.current+dir)%n + n) % n
	m.reveal(m.search.matches[m.search.current])
}

// SearchStatus is "query (2 of 5)" for the footer, or "" with no search.
func (m Model) SearchStatus() string {
	switch {
	case m.search.query == "":
		return ""
	case len(m.search.matches) == 0:
		return "/" + m.search.query + " (no match)"
	}
	return fmt.Sprintf("/%s (%d of %d)", m.search.query, m.search.current+1, len(m.search.matches))
}

// reveal opens every row above an object and puts the cursor on it.
func (m *Model) reveal(o kube.Object) { m.selectKey(m.openTo(o)) }

// shownPath is an object and the owners it sits under as the tree shows
// it, outermost first: every owner, or with a filter, the owners from the
// outermost one that matches too (other matches are listed flat).
func (m *Model) shownPath(o kube.Object) []kube.Object {
	ancestors := m.objects.Ancestors(o.Cluster, o.UID)
	if Filtering(m.filter) {
		i := 0
		for i < len(ancestors) && !m.filter.Matches(ancestors[i]) {
			i++
		}
		ancestors = ancestors[i:]
	}
	return append(ancestors, o)
}
