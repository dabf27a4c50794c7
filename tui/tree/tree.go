// Package tree is the fleet tree view: Cluster → Namespace → Kind →
// Instance → children, with expand and collapse, a cursor that keeps its
// place across live updates, and rendering of only the rows on screen.
package tree

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/theme"
	"github.com/wecs-tui/wecs/tui/list"
	"github.com/wecs-tui/wecs/tui/look"
)

// Source is what the tree reads: the fleet's members and, for a WEC it
// cannot reach, the objects the ITS's ManifestWorks deliver to it. Connect
// starts watching Idle WECs: those the tree opens, searches or filters.
type Source interface {
	Members() []kube.Member
	DeliveredObjects(cluster string) []kube.Object
	Connect(clusters ...string)
}

// Level says what a row stands for.
type Level int

// The levels of the tree, outermost first.
const (
	LevelCluster Level = iota
	LevelNamespace
	LevelKind
	LevelObject
)

// Row is one line of the flattened tree.
type Row struct {
	// Key identifies the row across rebuilds ("cluster1/ns/shop/kind/Pod").
	Key     string
	Level   Level
	Depth   int
	Cluster string
	Label   string
	// Namespace is the namespace of a namespace, kind or object row.
	Namespace string
	Counts    kube.Counts
	Member    *kube.Member
	// Object is the instance an object row stands for, or the Namespace
	// of a namespace row (nil while it is not known).
	Object   *kube.Object
	HasKids  bool
	Expanded bool
	// FromITS: a cluster row whose objects come from the ITS's
	// ManifestWorks, as its WEC cannot be reached or is not watched yet.
	FromITS bool
}

// Idle reports whether the row is a WEC not watched yet (connecting
// lazily): opening it connects it.
func (r Row) Idle() bool { return r.Level == LevelCluster && r.Member.Connection.State == kube.Idle }

// Model is the tree view.
type Model struct {
	source  Source
	objects *kube.Tree
	styles  theme.Styles
	rows    []Row
	// list is the cursor over the rows and the window that shows it.
	list          list.Model
	expanded      map[string]bool
	width, height int
	// filter narrows the tree; see SetFilter.
	filter kube.Filter
	// staleSince holds, per cluster that lost its connection after it had
	// synced, when that happened: its rows show the objects as last seen.
	staleSince map[string]time.Time
	search     search
	// objectRows finds the row of an object (by cluster and UID), for
	// updates that change objects in place.
	objectRows map[objectRef]int
	// groupRows are the indices of the cluster, namespace and kind rows,
	// in order: the rows a recount reads again.
	groupRows []int
}

// objectRef is an object on its cluster.
type objectRef struct {
	cluster string
	uid     types.UID
}

// New returns a tree over a fleet's members and objects.
func New(source Source, objects *kube.Tree, styles theme.Styles) Model {
	m := Model{source: source, objects: objects, styles: styles, expanded: map[string]bool{}, objectRows: map[objectRef]int{}}
	m.Rebuild()
	return m
}

// SetSize sets the area the tree draws in.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.list.SetHeight(height)
}

// SetStyles changes the theme.
func (m *Model) SetStyles(s theme.Styles) { m.styles = s }

// SetFilter narrows the tree to the objects that pass f. With any filter
// beyond ShowSystem, the matching objects are listed flat under their kind
// (a failed Pod shows under Pod, not under its ReplicaSet); every cluster
// stays listed with the count of its matches.
func (m *Model) SetFilter(f kube.Filter) {
	before, hadSelection := m.Selected()
	m.filter = f
	if Filtering(f) {
		m.connectIdle(f.Clusters)
		m.expandAll(false) // the matches are what the user asked to see
	} else {
		m.Rebuild()
	}
	if hadSelection {
		m.keepPlace(before)
	}
	if m.search.query != "" {
		m.Search(m.search.query)
	}
}

// keepPlace selects, after a filter change, the row that was selected, or
// the same object where the filter shows it now, or the nearest row above
// it that is still shown (its kind, namespace or cluster), or the top.
func (m *Model) keepPlace(was Row) {
	best, bestLen := 0, 0
	for i, r := range m.rows {
		switch {
		case r.Key == was.Key:
			best = i
		case was.Object != nil && r.Object != nil && r.Object.UID == was.Object.UID && r.Cluster == was.Cluster:
			best = i
		case Within(was.Key, r.Key) && len(r.Key) > bestLen:
			best, bestLen = i, len(r.Key)
			continue
		default:
			continue
		}
		break
	}
	m.list.Select(best)
}

// Filter is the tree's filter.
func (m Model) Filter() kube.Filter { return m.filter }

// Filtering reports whether a filter beyond ShowSystem is set.
func Filtering(f kube.Filter) bool {
	f.ShowSystem = false
	return len(f.Clusters) > 0 || f.Namespace != "" || len(f.Kinds) > 0 || len(f.Statuses) > 0 ||
		f.Selector != nil || f.Name != "" || f.DeliveredOnly
}

// Rows are the flattened rows (for tests and the breadcrumbs).
func (m Model) Rows() []Row { return m.rows }

// Selected is the row under the cursor, if any.
func (m Model) Selected() (Row, bool) {
	if len(m.rows) == 0 {
		return Row{}, false
	}
	return m.rows[m.list.Cursor()], true
}

// Rebuild re-reads the fleet, keeping the cursor on the same row; when that
// row is gone, the cursor moves to its neighbour and lost says so.
func (m *Model) Rebuild() (lost bool) {
	var selected string
	if row, ok := m.Selected(); ok {
		selected = row.Key
	}
	m.rows = m.rows[:0]
	clear(m.objectRows)
	members := m.source.Members()
	m.noteStale(members)
	if Filtering(m.filter) {
		m.addFiltered(members)
	} else {
		m.addClusters(members)
	}
	m.list.SetLen(len(m.rows))
	m.groupRows = m.groupRows[:0]
	for i, r := range m.rows {
		if r.Level != LevelObject {
			m.groupRows = append(m.groupRows, i)
		}
	}
	if selected == "" {
		return false
	}
	for i, r := range m.rows {
		if r.Key == selected {
			m.list.Select(i)
			return false
		}
	}
	return true
}

// noteStale notes which members show objects as last seen, and since when.
func (m *Model) noteStale(members []kube.Member) {
	m.staleSince = map[string]time.Time{}
	for _, mem := range members {
		if !mem.Connection.StaleSince.IsZero() {
			m.staleSince[mem.Name] = mem.Connection.StaleSince
		}
	}
}

// Apply brings the rows up to date with the tree's changes: an object
// replaced in place gets its new value in its row, and the rows above it
// their new counts, in time proportional to the change; anything else (and
// any change under a filter, which it may move in or out of) rebuilds.
func (m *Model) Apply(c kube.Changes) (lost bool) {
	if c.Moved || Filtering(m.filter) {
		return m.Rebuild()
	}
	touched := map[string]bool{}
	for _, obj := range c.Replaced {
		touched[obj.Cluster] = true
		if i, ok := m.objectRows[objectRef{obj.Cluster, obj.UID}]; ok {
			m.rows[i].Object = &obj
		}
	}
	if len(touched) > 0 {
		m.recount(touched)
	}
	return false
}

// recount reads again the counts of the cluster, namespace and kind rows
// of the clusters given.
func (m *Model) recount(clusters map[string]bool) {
	var namespaces map[string]kube.Counts
	var kinds map[string]kube.Counts
	for _, i := range m.groupRows {
		r := &m.rows[i]
		if !clusters[r.Cluster] {
			continue
		}
		switch r.Level {
		case LevelCluster:
			r.Counts = m.objects.ClusterCounts(r.Cluster, m.filter.ShowSystem)
			namespaces = groupCounts(m.objects.Namespaces(r.Cluster, m.filter.ShowSystem))
		case LevelNamespace:
			r.Counts = namespaces[r.Namespace]
			kinds = groupCounts(m.objects.Kinds(r.Cluster, r.Namespace))
		case LevelKind:
			r.Counts = kinds[r.Label]
		}
	}
}

func groupCounts(groups []kube.Group) map[string]kube.Counts {
	out := make(map[string]kube.Counts, len(groups))
	for _, g := range groups {
		out[g.Name] = g.Counts
	}
	return out
}

// RefreshMembers takes the fleet's members again for the cluster rows
// (health, connection) without reading the objects again, unless clusters
// came or went.
func (m *Model) RefreshMembers() (lost bool) {
	members := m.source.Members()
	var clusterRows []int
	for i, r := range m.rows {
		if r.Level == LevelCluster {
			clusterRows = append(clusterRows, i)
		}
	}
	if len(clusterRows) != len(members) {
		return m.Rebuild()
	}
	for j, i := range clusterRows {
		r := &m.rows[i]
		if r.Cluster != members[j].Name {
			return m.Rebuild()
		}
		if counts, fromITS := m.deliveredCounts(&members[j]); r.FromITS != fromITS || r.FromITS && (r.Expanded || r.Counts != counts) {
			return m.Rebuild()
		}
		r.Member = &members[j]
	}
	m.noteStale(members)
	return false
}

func (m *Model) addClusters(members []kube.Member) {
	for i := range members {
		mem := &members[i]
		m.addClusterRow(mem, func() kube.Counts { return m.objects.ClusterCounts(mem.Name, m.filter.ShowSystem) },
			func(key string) { m.addNamespaces(mem.Name, key) })
	}
}

// addClusterRow adds mem's row and, when open, what is under it: the
// objects the ITS delivered to it when the tree shows those, else what
// addLive lays out under the row's key, with the counts live gives.
func (m *Model) addClusterRow(mem *kube.Member, live func() kube.Counts, addLive func(key string)) {
	key := clusterKey(mem.Name)
	counts, fromITS := m.deliveredCounts(mem)
	if !fromITS {
		counts = live()
	}
	row := Row{Key: key, Level: LevelCluster, Cluster: mem.Name, Label: mem.Name, Counts: counts, Member: mem,
		HasKids: counts.Total > 0, Expanded: m.expanded[key], FromITS: fromITS}
	m.rows = append(m.rows, row)
	switch {
	case !row.Expanded:
	case fromITS:
		delivered := m.delivered(mem)
		m.addGrouped(delivered, make([]bool, len(delivered)), key)
	default:
		addLive(key)
	}
}

// delivered are, for a WEC that cannot be reached or is not watched yet
// and of which the tree holds nothing (not even objects as last seen), the
// objects the ITS's ManifestWorks deliver to it that pass the filter,
// sorted by namespace, kind and name; nil for any other WEC or when there
// are none.
func (m *Model) delivered(mem *kube.Member) []kube.Object {
	if !m.showsDelivered(mem) {
		return nil
	}
	var out []kube.Object
	for _, o := range m.source.DeliveredObjects(mem.Name) {
		if m.filter.Matches(o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b kube.Object) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// showsDelivered says whether the tree shows mem's delivered objects: it
// does not read mem, and holds nothing of it.
func (m *Model) showsDelivered(mem *kube.Member) bool {
	return mem.Connection.Unwatched() && m.objects.ClusterCounts(mem.Name, true).Total == 0
}

// deliveredCounts counts what delivered would list, without listing it:
// the cluster rows of many WECs the tree does not read need their counts
// alone. fromITS says whether there is any.
func (m *Model) deliveredCounts(mem *kube.Member) (counts kube.Counts, fromITS bool) {
	if !m.showsDelivered(mem) {
		return counts, false
	}
	objs := m.source.DeliveredObjects(mem.Name)
	for i := range objs {
		if m.filter.Matches(objs[i]) {
			counts.Add(objs[i].Status, 1)
		}
	}
	return counts, counts.Total > 0
}

func (m *Model) addNamespaces(cluster, parent string) {
	for _, ns := range m.objects.Namespaces(cluster, m.filter.ShowSystem) {
		key := namespaceKey(parent, ns.Name)
		label := ns.Name
		if label == "" {
			label = "(cluster-scoped)"
		}
		row := Row{Key: key, Level: LevelNamespace, Depth: 1, Cluster: cluster, Namespace: ns.Name, Label: label, Counts: ns.Counts, HasKids: true,
			Expanded: m.expanded[key], Object: m.namespaceObject(cluster, ns.Name)}
		m.rows = append(m.rows, row)
		if !row.Expanded {
			continue
		}
		for _, k := range m.objects.Kinds(cluster, ns.Name) {
			kkey := kindKey(key, k.Name)
			krow := Row{Key: kkey, Level: LevelKind, Depth: 2, Cluster: cluster, Namespace: ns.Name, Label: k.Name, Counts: k.Counts, HasKids: true,
				Expanded: m.expanded[kkey]}
			m.rows = append(m.rows, krow)
			if krow.Expanded {
				m.addObjects(m.objects.Instances(cluster, ns.Name, k.Name), kkey, 3)
			}
		}
	}
}

// addFiltered lays out the objects that pass the filter: every cluster,
// then the namespaces and kinds that hold matches, then the matches. A match
// under another match (a Pod under its matching Deployment) is shown there
// only, not flat as well; cluster and namespace rows count every match.
func (m *Model) addFiltered(members []kube.Member) {
	matches, nested := m.objects.FindNested(m.filter) // sorted by cluster, namespace, kind, name
	for i := range members {
		mem := &members[i]
		start, end := span(matches, func(o *kube.Object) string { return o.Cluster }, mem.Name)
		objs, inner := matches[start:end], nested[start:end]
		m.addClusterRow(mem, func() kube.Counts { return countOf(objs) }, func(key string) { m.addGrouped(objs, inner, key) })
	}
}

// addGrouped lays out a cluster's objects (sorted by namespace, kind and
// name) under their namespace and kind rows; nested says of each whether
// it shows under another of them instead.
func (m *Model) addGrouped(objs []kube.Object, nested []bool, parent string) {
	for len(objs) > 0 {
		_, nsEnd := span(objs, func(o *kube.Object) string { return o.Namespace }, objs[0].Namespace)
		m.addFilteredNamespace(objs[:nsEnd], nested[:nsEnd], parent)
		objs, nested = objs[nsEnd:], nested[nsEnd:]
	}
}

func (m *Model) addFilteredNamespace(objs []kube.Object, nested []bool, parent string) {
	first := objs[0]
	key := namespaceKey(parent, first.Namespace)
	label := first.Namespace
	if label == "" {
		label = "(cluster-scoped)"
	}
	var shown []kube.Object
	for i, o := range objs {
		if !nested[i] {
			shown = append(shown, o)
		}
	}
	row := Row{Key: key, Level: LevelNamespace, Depth: 1, Cluster: first.Cluster, Namespace: first.Namespace, Label: label, Counts: countOf(objs),
		HasKids: len(shown) > 0, Expanded: m.expanded[key], Object: m.namespaceObject(first.Cluster, first.Namespace)}
	m.rows = append(m.rows, row)
	if !row.Expanded {
		return
	}
	for len(shown) > 0 {
		_, end := span(shown, func(o *kube.Object) string { return o.Kind }, shown[0].Kind)
		kkey := kindKey(key, shown[0].Kind)
		krow := Row{Key: kkey, Level: LevelKind, Depth: 2, Cluster: first.Cluster, Namespace: first.Namespace, Label: shown[0].Kind,
			Counts: countOf(shown[:end]), HasKids: true, Expanded: m.expanded[kkey]}
		m.rows = append(m.rows, krow)
		if krow.Expanded {
			m.addObjects(shown[:end], kkey, 3)
		}
		shown = shown[end:]
	}
}

// namespaceObject is the Namespace a namespace row stands for, when watched.
func (m *Model) namespaceObject(cluster, name string) *kube.Object {
	if o, ok := m.objects.NamespaceObject(cluster, name); ok {
		return &o
	}
	return nil
}

// span finds the run of objs (sorted by field) whose field equals value.
func span(objs []kube.Object, field func(*kube.Object) string, value string) (start, end int) {
	start = len(objs)
	for i := range objs {
		if field(&objs[i]) == value {
			start = i
			break
		}
	}
	end = start
	for end < len(objs) && field(&objs[end]) == value {
		end++
	}
	return start, end
}

func countOf(objs []kube.Object) kube.Counts {
	var c kube.Counts
	for _, o := range objs {
		c.Add(o.Status, 1)
	}
	return c
}

func (m *Model) addObjects(objs []kube.Object, parent string, depth int) {
	for i := range objs {
		o := &objs[i]
		key := objectKey(parent, o.UID)
		kids := m.objects.Children(o.Cluster, o.UID)
		row := Row{Key: key, Level: LevelObject, Depth: depth, Cluster: o.Cluster, Namespace: o.Namespace, Label: o.Name, Object: o,
			HasKids: len(kids) > 0, Expanded: m.expanded[key]}
		m.objectRows[objectRef{o.Cluster, o.UID}] = len(m.rows)
		m.rows = append(m.rows, row)
		if row.Expanded {
			m.addObjects(kids, key, depth+1)
		}
	}
}

// Open opens the selected row.
func (m *Model) Open() { m.setExpanded(true) }

// Close closes the selected row, or moves to its parent when it is closed.
func (m *Model) Close() {
	if row, ok := m.Selected(); ok && !row.Expanded {
		m.ToParent()
		return
	}
	m.setExpanded(false)
}

// CloseAll closes every row.
func (m *Model) CloseAll() {
	m.expanded = map[string]bool{}
	m.Rebuild()
}

// OpenAll opens every row.
func (m *Model) OpenAll() { m.expandAll(true) }

// Move moves the cursor by delta rows, stopping at either end.
func (m *Model) Move(delta int) { m.move(delta) }

// PageSize is how far a page key moves the cursor.
func (m Model) PageSize() int { return m.list.PageSize() }

func (m *Model) move(delta int) {
	m.list.Move(delta)
}

func (m *Model) setExpanded(open bool) {
	row, ok := m.Selected()
	if open && ok && row.Idle() {
		// Its objects show, opened, once its watches list them.
		m.source.Connect(row.Cluster)
		m.expanded[row.Key] = true
		m.Rebuild()
		return
	}
	if !ok || !row.HasKids {
		return
	}
	if open {
		m.expanded[row.Key] = true
	} else {
		delete(m.expanded, row.Key)
	}
	m.Rebuild()
}

// connectIdle starts watching the Idle WECs among those named (all when
// none are), for a search or a filter that needs their objects.
func (m *Model) connectIdle(clusters []string) {
	var idle []string
	for _, r := range m.rows {
		if r.Level == LevelCluster && r.Member.Connection.State == kube.Idle && (len(clusters) == 0 || slices.Contains(clusters, r.Cluster)) {
			idle = append(idle, r.Cluster)
		}
	}
	if len(idle) > 0 {
		m.source.Connect(idle...)
	}
}

// ToParent moves the cursor to the row that contains the selected one.
func (m *Model) ToParent() {
	row, _ := m.Selected()
	for i := m.list.Cursor() - 1; i >= 0; i-- {
		if m.rows[i].Depth < row.Depth {
			m.list.Select(i)
			return
		}
	}
}

// expandAll opens clusters, namespaces and kinds, and with objects set
// every instance and child that owns something too.
func (m *Model) expandAll(objects bool) {
	for {
		before := len(m.expanded)
		for _, r := range m.rows {
			if r.HasKids && (objects || r.Level < LevelObject) {
				m.expanded[r.Key] = true
			}
		}
		m.Rebuild()
		if len(m.expanded) == before {
			return
		}
	}
}

// NextCluster moves to the next cluster's row.
func (m *Model) NextCluster() {
	for i := m.list.Cursor() + 1; i < len(m.rows); i++ {
		if m.rows[i].Level == LevelCluster {
			m.list.Select(i)
			return
		}
	}
}

// View draws only the rows that fit.
func (m Model) View() string {
	if len(m.rows) == 0 {
		return m.styles.Muted.Render("No WECs yet: the ITS lists no ManagedClusters.")
	}
	start, end := m.list.Window()
	lines := make([]string, 0, end-start)
	for i := start; i < end; i++ {
		lines = append(lines, m.renderRow(m.rows[i], i == m.list.Cursor()))
	}
	return strings.Join(lines, "\n")
}

func (m Model) renderRow(r Row, selected bool) string {
	marker := "  "
	if r.HasKids {
		marker = "▸ "
		if r.Expanded {
			marker = "▾ "
		}
	}
	prefix := strings.Repeat("  ", r.Depth) + marker
	var body string
	switch r.Level {
	case LevelCluster:
		body = m.clusterLabel(r)
	case LevelObject:
		body = m.objectLabel(*r.Object, max(m.width, 1)-ansi.StringWidth(prefix))
	default:
		body = termtext.Clean(r.Label) + " " + m.styles.Muted.Render(countsText(r.Counts))
	}
	line := ansi.Truncate(prefix+body, max(m.width, 1), "…")
	switch _, stale := m.staleSince[r.Cluster]; {
	case selected:
		return m.styles.Selected.Render(ansi.Strip(line))
	case stale && r.Level != LevelCluster:
		// Objects kept from before the connection was lost: dimmed, as
		// the cluster row above says since when.
		return m.styles.Muted.Faint(true).Render(ansi.Strip(line))
	}
	return line
}

// StaleSince is when the cluster's connection was lost after it had synced
// (zero while its objects are current).
func (m Model) StaleSince(cluster string) time.Time { return m.staleSince[cluster] }

// connectionGlyph pairs a dot with a word, so the state reads without colour.
func (m Model) connectionGlyph(c kube.Connection) string {
	switch c.State {
	case kube.Connected:
		if n := len(c.Restricted); n > 0 {
			// The user's rights hide some kinds: the Summary says which.
			return m.styles.OK.Render("● Connected") + m.styles.Warn.Render(fmt.Sprintf(" (%d kinds limited by your rights)", n))
		}
		return m.styles.OK.Render("● Connected")
	case kube.Idle:
		return m.styles.Muted.Render("◌ Idle: not watched yet (enter connects)")
	case kube.Connecting:
		if c.Listing != "" {
			return m.styles.Warn.Render("◌ Connecting") + m.styles.Muted.Render(" · "+c.Listing)
		}
		return m.styles.Warn.Render("◌ Connecting")
	case kube.Disconnected:
		if c.StaleSince.IsZero() {
			return m.styles.Error.Render("○ Disconnected: " + c.Err)
		}
		// The stale time comes before the error, which can be long.
		return m.styles.Error.Render("○ Disconnected") + m.styles.Warn.Render(" · "+theme.StaleText(c.StaleSince)) +
			m.styles.Error.Render(": "+c.Err)
	}
	return m.styles.Muted.Render("○ Unbound: " + c.Err)
}

func (m Model) clusterLabel(r Row) string {
	mem := r.Member
	health := look.Health(m.styles, mem.Health).Render(string(mem.Health))
	if r.FromITS {
		// Said before the connection's error, which can be long.
		return fmt.Sprintf("%s %s %s %s", m.styles.Title.Render(r.Label), health,
			m.styles.Warn.Render(countsText(r.Counts)+" delivered, from the ITS"), m.connectionGlyph(mem.Connection))
	}
	return fmt.Sprintf("%s %s %s %s", m.styles.Title.Render(r.Label), health, m.connectionGlyph(mem.Connection), m.styles.Muted.Render(countsText(r.Counts)))
}

func (m Model) objectLabel(o kube.Object, width int) string {
	parts := []string{}
	if o.Kind != "" {
		parts = append(parts, m.styles.Muted.Render(termtext.Clean(o.Kind)))
	}
	parts = append(parts, "", look.Status(m.styles, o.Status).Render(look.ObjectGlyph(o)))
	name := len(parts) - 2
	if o.Ready != "" {
		parts = append(parts, termtext.Clean(o.Ready))
	}
	if o.Restarts > 0 {
		parts = append(parts, m.styles.Muted.Render("↻ "+o.RestartsText(time.Now())))
	}
	switch {
	case o.FromITS:
		parts = append(parts, m.styles.Warn.Render("⇣ delivered, from the ITS"))
	case o.DeliveredBy != "":
		parts = append(parts, m.styles.Key.Render("⇣ KubeStellar"))
	}
	// The name gets the room the rest leaves, cut in the middle so that
	// names sharing a long prefix still differ.
	room := width - ansi.StringWidth(strings.Join(parts, " "))
	parts[name] = termtext.Middle(termtext.Clean(o.Name), max(room, minNameWidth))
	return strings.Join(parts, " ")
}

// minNameWidth is the least room an object's name gets in a narrow tree.
const minNameWidth = 16

// countsText is "12 · 2 Failed · 1 Pending": the total, then the trouble.
func countsText(c kube.Counts) string {
	text := fmt.Sprint(c.Total)
	for _, s := range []kube.Status{kube.StatusFailed, kube.StatusUnknown, kube.StatusNotReady, kube.StatusTerminating, kube.StatusPending} {
		if n := c.Of(s); n > 0 {
			text += fmt.Sprintf(" · %d %s", n, s)
		}
	}
	return text
}
