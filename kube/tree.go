package kube

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// Object is what the fleet tree keeps of one Kubernetes object: enough to
// place, count and show it. The full object is fetched when a pane needs it.
type Object struct {
	Cluster   string
	Namespace string // "" for cluster-scoped objects
	Name      string
	Group     string
	Version   string
	Kind      string
	Resource  string
	UID       types.UID
	// Owners are the UIDs of the object's owners, the controller first.
	Owners  []types.UID
	Labels  map[string]string
	Created time.Time
	// Status is the class behind colours, counts and filters.
	Status Status
	// Word is kubectl's STATUS, "" where kubectl has none (see Printed).
	Word string
	// Ready is "ready/desired" where that means something, else "".
	Ready string
	// Restarts and LastRestart are a pod's RESTARTS (see Printed).
	Restarts    int
	LastRestart time.Time
	// DeliveredBy names the AppliedManifestWork that put the object on its
	// WEC, when KubeStellar delivered it.
	DeliveredBy string
	// FromITS: the object is known only from the work agent's report in
	// the ManifestWork DeliveredBy names, on the ITS (its WEC cannot be
	// reached).
	FromITS bool
	// FromWDS: the object is a WDS's copy, which KubeStellar delivers to
	// WECs; Cluster names the WDS's context.
	FromWDS bool
	// Usage is a Pod's node and requests or a Node's allocatable (nil for
	// other kinds): what the node capacity view adds up.
	Usage *Usage
}

// StatusWord is the status as kubectl prints it: the word where kubectl
// has one, else the class.
func (o Object) StatusWord() string {
	if o.Word != "" {
		return o.Word
	}
	return string(o.Status)
}

// RestartsText is kubectl's RESTARTS cell for a pod at now; "" for other
// kinds.
func (o Object) RestartsText(now time.Time) string {
	if o.Kind != "Pod" {
		return ""
	}
	return RestartsText(o.Restarts, o.LastRestart, now)
}

// Ref names the object as kubectl does: "Deployment shop/web", or
// "Node n1" when it is cluster-scoped.
func (o Object) Ref() string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// String is the object on its cluster: "Deployment shop/web on cluster1".
func (o Object) String() string { return o.Ref() + " on " + o.Cluster }

// SystemNamespace reports whether ns is one wecs hides unless asked:
// kube-system, kube-public, kube-node-lease and open-cluster-management*.
func SystemNamespace(ns string) bool {
	switch ns {
	case "kube-system", "kube-public", "kube-node-lease":
		return true
	}
	return strings.HasPrefix(ns, "open-cluster-management")
}

// Counts are how many objects a tree node holds, per status.
type Counts struct {
	Total    int
	ByStatus [len(statusOrder)]int // indexed by Status.Severity()
}

// Add counts n more objects of status s.
func (c *Counts) Add(s Status, n int) {
	c.Total += n
	c.ByStatus[s.Severity()] += n
}

// Worst is the worst status among the counted objects ("" when empty).
func (c Counts) Worst() Status {
	for i := len(Statuses) - 1; i >= 0; i-- {
		if c.ByStatus[i] > 0 {
			return Statuses[i]
		}
	}
	return ""
}

// Of is the number of objects with status s.
func (c Counts) Of(s Status) int { return c.ByStatus[s.Severity()] }

// Group is one namespace or kind node of the tree with its counts.
type Group struct {
	Name   string
	Counts Counts
}

// Tree is the fleet's objects as Cluster → Namespace → Kind → Instance →
// children. Every change is applied in time proportional to the change;
// counts per cluster, namespace and kind are kept up to date, not
// recomputed. Readers get copies, consistent at the time of the call, and a
// coalesced signal on Changed.
type Tree struct {
	mu         sync.RWMutex
	clusters   map[string]*clusterIndex
	changed    chan struct{}
	lastChange time.Time
	// pending is what changed since the last TakeChanges.
	pending pendingChanges
}

// Changes are what changed in the tree since the last TakeChanges, for a
// view that updates only what changed: the objects replaced in place (same
// namespace, kind and owners, so the same place in the tree), and Moved when
// anything else changed (an object came, went or moved, a cluster resynced
// or left), which only reading the tree again shows.
type Changes struct {
	Replaced []Object
	Moved    bool
}

// maxReplaced is how many replaced objects are kept for TakeChanges; past
// it, reading the tree again costs less than applying each.
const maxReplaced = 1000

type objectID struct {
	cluster string
	uid     types.UID
}

type pendingChanges struct {
	replaced map[objectID]Object
	moved    bool
}

type entry struct {
	obj    Object
	parent *entry // nil for a top-level instance
	gen    uint64
}

type clusterIndex struct {
	objects map[types.UID]*entry
	// children maps an owner UID to its dependents, even before the owner
	// itself has arrived.
	children   map[types.UID]map[types.UID]struct{}
	namespaces map[string]*nsIndex
	// namespaceObjects are the Namespace objects by name, kept beside the
	// tree: a namespace row carries its own, but they are neither counted
	// nor found.
	namespaceObjects map[string]*entry
	gen              uint64
}

type nsIndex struct {
	counts Counts
	kinds  map[string]*kindIndex
}

type kindIndex struct {
	counts Counts // top-level instances only
	// top are the top-level entries in display order, kept so as they come
	// and go: reading a kind of thousands of instances sorts nothing.
	top []*entry
}

// insert puts a top-level entry in its place.
func (k *kindIndex) insert(e *entry) {
	i, _ := slices.BinarySearchFunc(k.top, e, compareEntries)
	k.top = slices.Insert(k.top, i, e)
}

// drop takes a top-level entry out.
func (k *kindIndex) drop(e *entry) {
	if i, found := slices.BinarySearchFunc(k.top, e, compareEntries); found {
		k.top = slices.Delete(k.top, i, i+1)
	}
}

func compareEntries(a, b *entry) int { return compareObjects(&a.obj, &b.obj) }

// NewTree returns an empty tree.
func NewTree() *Tree {
	return &Tree{clusters: map[string]*clusterIndex{}, changed: make(chan struct{}, 1)}
}

// Changed receives a value after one or more changes; bursts coalesce into one.
func (t *Tree) Changed() <-chan struct{} { return t.changed }

// LastChange is when the tree last changed.
func (t *Tree) LastChange() time.Time {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.lastChange
}

// TakeChanges returns what changed since the last call, and forgets it.
func (t *Tree) TakeChanges() Changes {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := Changes{Moved: t.pending.moved}
	if !c.Moved {
		c.Replaced = slices.Collect(maps.Values(t.pending.replaced))
	}
	t.pending = pendingChanges{}
	return c
}

// replaced notes an object replaced in place, and signals.
func (t *Tree) replaced(obj Object) {
	switch {
	case t.pending.moved:
	case len(t.pending.replaced) >= maxReplaced:
		t.pending = pendingChanges{moved: true}
	default:
		if t.pending.replaced == nil {
			t.pending.replaced = map[objectID]Object{}
		}
		t.pending.replaced[objectID{obj.Cluster, obj.UID}] = obj
	}
	t.signal()
}

// notify notes a change to the tree's shape, and signals.
func (t *Tree) notify() {
	t.pending = pendingChanges{moved: true}
	t.signal()
}

func (t *Tree) signal() {
	t.lastChange = time.Now()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

func (t *Tree) cluster(name string) *clusterIndex {
	c, ok := t.clusters[name]
	if !ok {
		c = &clusterIndex{objects: map[types.UID]*entry{}, children: map[types.UID]map[types.UID]struct{}{}, namespaces: map[string]*nsIndex{},
			namespaceObjects: map[string]*entry{}}
		t.clusters[name] = c
	}
	return c
}

// Upsert adds or replaces an object.
func (t *Tree) Upsert(obj Object) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cluster(obj.Cluster)
	if isNamespace(obj) {
		if old, ok := c.namespaceObjects[obj.Name]; ok && sameObject(&old.obj, &obj) {
			old.gen = c.gen
			return
		}
		c.namespaceObjects[obj.Name] = &entry{obj: obj, gen: c.gen}
		t.notify()
		return
	}
	if old, ok := c.objects[obj.UID]; ok {
		if sameObject(&old.obj, &obj) {
			// A heartbeat or a status write that changes nothing the tree
			// keeps: the object stays current, and nobody is told.
			old.gen = c.gen
			return
		}
		if slices.Equal(old.obj.Owners, obj.Owners) && old.obj.Namespace == obj.Namespace && old.obj.Kind == obj.Kind {
			c.recount(old, -1)
			old.obj = obj
			old.gen = c.gen
			c.recount(old, +1)
			t.replaced(obj)
			return
		}
		c.remove(old)
	}
	c.add(&entry{obj: obj, gen: c.gen})
	t.notify()
}

// sameObject says whether a and b keep the same of everything the tree
// keeps, so that replacing a with b would change nothing on screen.
func sameObject(a, b *Object) bool {
	return a.Cluster == b.Cluster && a.Namespace == b.Namespace && a.Name == b.Name &&
		a.Group == b.Group && a.Version == b.Version && a.Kind == b.Kind && a.Resource == b.Resource &&
		a.UID == b.UID && slices.Equal(a.Owners, b.Owners) && maps.Equal(a.Labels, b.Labels) &&
		a.Created.Equal(b.Created) && a.Status == b.Status && a.Word == b.Word && a.Ready == b.Ready &&
		a.Restarts == b.Restarts && a.LastRestart.Equal(b.LastRestart) && a.DeliveredBy == b.DeliveredBy && a.FromITS == b.FromITS && a.FromWDS == b.FromWDS &&
		(a.Usage == b.Usage || a.Usage != nil && b.Usage != nil && *a.Usage == *b.Usage)
}

// Delete removes an object; its dependents become top-level instances.
func (t *Tree) Delete(cluster string, uid types.UID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.clusters[cluster]
	if !ok {
		return
	}
	if e, ok := c.objects[uid]; ok {
		c.remove(e)
		t.notify()
		return
	}
	for name, e := range c.namespaceObjects {
		if e.obj.UID == uid {
			delete(c.namespaceObjects, name)
			t.notify()
		}
	}
}

// isNamespace tells a Namespace object, which the tree keeps aside.
func isNamespace(o Object) bool { return o.Kind == "Namespace" && o.Group == "" && o.Namespace == "" }

// NamespaceObject is a cluster's Namespace object of that name, if watched.
func (t *Tree) NamespaceObject(cluster, name string) (Object, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if c, ok := t.clusters[cluster]; ok {
		if e, ok := c.namespaceObjects[name]; ok {
			return e.obj, true
		}
	}
	return Object{}, false
}

// Object is a cluster's object of that UID (a Namespace too), if watched.
func (t *Tree) Object(cluster string, uid types.UID) (Object, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.clusters[cluster]
	if !ok {
		return Object{}, false
	}
	if e, ok := c.objects[uid]; ok {
		return e.obj, true
	}
	for _, e := range c.namespaceObjects {
		if e.obj.UID == uid {
			return e.obj, true
		}
	}
	return Object{}, false
}

// BeginResync starts a new generation for a cluster whose watches restart;
// EndResync then drops whatever the new watches did not report again (the
// objects deleted while the cluster was out of reach).
func (t *Tree) BeginResync(cluster string) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cluster(cluster)
	c.gen++
	return c.gen
}

// EndResync removes the cluster's objects older than generation gen whose
// kind (group and resource) relisted holds. Objects of other kinds stay as
// last seen: a kind that was not listed again says nothing about them.
func (t *Tree) EndResync(cluster string, gen uint64, relisted func(group, resource string) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.clusters[cluster]
	if !ok {
		return
	}
	removed := false
	for _, e := range c.objects {
		if e.gen < gen && relisted(e.obj.Group, e.obj.Resource) {
			c.remove(e)
			removed = true
		}
	}
	for name, e := range c.namespaceObjects {
		if e.gen < gen && relisted(e.obj.Group, e.obj.Resource) {
			delete(c.namespaceObjects, name)
			removed = true
		}
	}
	if removed {
		t.notify()
	}
}

// RemoveCluster forgets a cluster (it left the fleet).
func (t *Tree) RemoveCluster(cluster string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.clusters[cluster]; ok {
		delete(t.clusters, cluster)
		t.notify()
	}
}

func (c *clusterIndex) ns(name string) *nsIndex {
	n, ok := c.namespaces[name]
	if !ok {
		n = &nsIndex{kinds: map[string]*kindIndex{}}
		c.namespaces[name] = n
	}
	return n
}

func (n *nsIndex) kind(name string) *kindIndex {
	k, ok := n.kinds[name]
	if !ok {
		k = &kindIndex{}
		n.kinds[name] = k
	}
	return k
}

// recount adds (sign +1) or removes (-1) an entry's status from the counts.
func (c *clusterIndex) recount(e *entry, sign int) {
	n := c.ns(e.obj.Namespace)
	n.counts.Add(e.obj.Status, sign)
	if e.parent == nil {
		n.kind(e.obj.Kind).counts.Add(e.obj.Status, sign)
	}
}

func (c *clusterIndex) add(e *entry) {
	uid := e.obj.UID
	c.objects[uid] = e
	for _, owner := range e.obj.Owners {
		deps, ok := c.children[owner]
		if !ok {
			deps = map[types.UID]struct{}{}
			c.children[owner] = deps
		}
		deps[uid] = struct{}{}
		if e.parent == nil {
			if p, ok := c.objects[owner]; ok {
				e.parent = p
			}
		}
	}
	c.place(e)
	// Dependents that arrived before their owner move under it.
	for dep := range c.children[uid] {
		if d, ok := c.objects[dep]; ok && d.parent == nil {
			c.unplace(d)
			d.parent = e
			c.place(d)
		}
	}
}

// place puts an entry into the counts and, when top-level, its kind group.
func (c *clusterIndex) place(e *entry) {
	if e.parent == nil {
		c.ns(e.obj.Namespace).kind(e.obj.Kind).insert(e)
	}
	c.recount(e, +1)
}

func (c *clusterIndex) unplace(e *entry) {
	c.recount(e, -1)
	n := c.namespaces[e.obj.Namespace]
	if e.parent == nil {
		k := n.kinds[e.obj.Kind]
		k.drop(e)
		if len(k.top) == 0 {
			delete(n.kinds, e.obj.Kind)
		}
	}
	if n.counts.Total == 0 && len(n.kinds) == 0 {
		delete(c.namespaces, e.obj.Namespace)
	}
}

func (c *clusterIndex) remove(e *entry) {
	uid := e.obj.UID
	c.unplace(e)
	delete(c.objects, uid)
	for _, owner := range e.obj.Owners {
		if deps, ok := c.children[owner]; ok {
			delete(deps, uid)
			if len(deps) == 0 {
				delete(c.children, owner)
			}
		}
	}
	for dep := range c.children[uid] {
		d, ok := c.objects[dep]
		if !ok || d.parent != e {
			continue
		}
		c.unplace(d)
		d.parent = nil
		for _, owner := range d.obj.Owners {
			if p, ok := c.objects[owner]; ok && owner != uid {
				d.parent = p
				break
			}
		}
		c.place(d)
	}
}

// ClusterCounts are the counts of a cluster's objects, system namespaces
// included only when showSystem is set.
func (t *Tree) ClusterCounts(cluster string, showSystem bool) Counts {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var total Counts
	if c, ok := t.clusters[cluster]; ok {
		for name, n := range c.namespaces {
			if showSystem || !SystemNamespace(name) {
				total.Total += n.counts.Total
				for i, v := range n.counts.ByStatus {
					total.ByStatus[i] += v
				}
			}
		}
	}
	return total
}

// Namespaces are a cluster's namespaces that hold objects, sorted, the
// cluster-scoped group ("") first.
func (t *Tree) Namespaces(cluster string, showSystem bool) []Group {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []Group
	if c, ok := t.clusters[cluster]; ok {
		for name, n := range c.namespaces {
			if n.counts.Total > 0 && (showSystem || !SystemNamespace(name)) {
				out = append(out, Group{Name: name, Counts: n.counts})
			}
		}
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Kinds are the kinds of a namespace's top-level instances, sorted.
func (t *Tree) Kinds(cluster, namespace string) []Group {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []Group
	if c, ok := t.clusters[cluster]; ok {
		if n, ok := c.namespaces[namespace]; ok {
			for name, k := range n.kinds {
				out = append(out, Group{Name: name, Counts: k.counts})
			}
		}
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Instances are the top-level objects of a kind in a namespace, by name.
func (t *Tree) Instances(cluster, namespace, kind string) []Object {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []Object
	if c, ok := t.clusters[cluster]; ok {
		if n, ok := c.namespaces[namespace]; ok {
			if k, ok := n.kinds[kind]; ok {
				out = make([]Object, len(k.top))
				for i, e := range k.top {
					out[i] = e.obj
				}
			}
		}
	}
	return out
}

// Children are the objects an object owns, by kind and name.
func (t *Tree) Children(cluster string, uid types.UID) []Object {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var entries []*entry
	if c, ok := t.clusters[cluster]; ok {
		for dep := range c.children[uid] {
			if d, ok := c.objects[dep]; ok && d.parent != nil && d.parent.obj.UID == uid {
				entries = append(entries, d)
			}
		}
	}
	return sortedObjects(entries)
}

// sortedObjects copies the entries' objects out in display order, sorting
// pointers rather than the (large) objects themselves.
func sortedObjects(entries []*entry) []Object {
	slices.SortFunc(entries, func(a, b *entry) int { return compareObjects(&a.obj, &b.obj) })
	out := make([]Object, len(entries))
	for i, e := range entries {
		out[i] = e.obj
	}
	return out
}

// Ancestors are the owners an object sits under in the tree, outermost
// first (empty for a top-level instance).
func (t *Tree) Ancestors(cluster string, uid types.UID) []Object {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []Object
	if c, ok := t.clusters[cluster]; ok {
		if e, ok := c.objects[uid]; ok {
			for p := e.parent; p != nil; p = p.parent {
				out = append([]Object{p.obj}, out...)
			}
		}
	}
	return out
}

// Descends reports whether the object uid sits, at any depth, under the
// object ancestor in the tree.
func (t *Tree) Descends(cluster string, uid, ancestor types.UID) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if c, ok := t.clusters[cluster]; ok {
		if e, ok := c.objects[uid]; ok {
			for p := e.parent; p != nil; p = p.parent {
				if p.obj.UID == ancestor {
					return true
				}
			}
		}
	}
	return false
}

func compareObjects(a, b *Object) int {
	return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.UID, b.UID))
}

// Filter selects objects across the fleet; the zero Filter selects every
// object outside the system namespaces.
type Filter struct {
	Clusters  []string
	Namespace string
	Kinds     []string // kind names, compared case-insensitively
	Statuses  []Status
	// Words are kubectl STATUS words (CrashLoopBackOff …), compared
	// case-insensitively; an object passes on its class or its word.
	Words      []string
	Selector   labels.Selector
	Name       string // a substring of the name
	ShowSystem bool
	// DeliveredOnly keeps only objects that KubeStellar delivered.
	DeliveredOnly bool
}

// AddStatus adds a status to the filter: a class (Failed, Pending …) or
// else a kubectl word (CrashLoopBackOff, Init:0/2, Completed …).
func (f *Filter) AddStatus(s string) error {
	if st, err := ParseStatus(s); err == nil {
		f.Statuses = append(f.Statuses, st)
		return nil
	}
	if s == "" || strings.ContainsAny(s, " \t") {
		return fmt.Errorf("status %q: use one of %s, or a kubectl STATUS word such as CrashLoopBackOff", s, StatusNames())
	}
	f.Words = append(f.Words, s)
	return nil
}

// Matches reports whether obj passes the filter.
func (f Filter) Matches(obj Object) bool {
	switch {
	case len(f.Clusters) > 0 && !slices.Contains(f.Clusters, obj.Cluster):
	case f.Namespace != "" && obj.Namespace != f.Namespace:
	case !f.ShowSystem && SystemNamespace(obj.Namespace) && f.Namespace != obj.Namespace:
	case len(f.Kinds) > 0 && !slices.ContainsFunc(f.Kinds, func(k string) bool { return strings.EqualFold(k, obj.Kind) }):
	case (len(f.Statuses) > 0 || len(f.Words) > 0) && !slices.Contains(f.Statuses, obj.Status) &&
		!slices.ContainsFunc(f.Words, func(w string) bool { return strings.EqualFold(w, obj.StatusWord()) }):
	case f.Selector != nil && !f.Selector.Matches(labels.Set(obj.Labels)):
	case f.Name != "" && !strings.Contains(obj.Name, f.Name):
	case f.DeliveredOnly && obj.DeliveredBy == "":
	default:
		return true
	}
	return false
}

// Find returns every object that passes the filter, sorted by cluster,
// namespace, kind and name.
func (t *Tree) Find(f Filter) []Object {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return sortedObjects(t.matching(f))
}

// matching is every entry that passes the filter; the caller holds t.mu.
func (t *Tree) matching(f Filter) []*entry {
	var entries []*entry
	for _, c := range t.clusters {
		for _, e := range c.objects {
			if f.Matches(e.obj) {
				entries = append(entries, e)
			}
		}
	}
	return entries
}

// FindNested is Find, and says of each match whether it sits, at any
// depth, under another match (a filtered tree shows it there, not flat).
func (t *Tree) FindNested(f Filter) (objs []Object, nested []bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	entries := t.matching(f)
	slices.SortFunc(entries, func(a, b *entry) int { return compareObjects(&a.obj, &b.obj) })
	objs, nested = make([]Object, len(entries)), make([]bool, len(entries))
	for i, e := range entries {
		objs[i] = e.obj
		for p := e.parent; p != nil && !nested[i]; p = p.parent {
			nested[i] = f.Matches(p.obj)
		}
	}
	return objs, nested
}

// Len is the number of objects in the tree.
func (t *Tree) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := 0
	for _, c := range t.clusters {
		n += len(c.objects)
	}
	return n
}
