package kube

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/wecs-tui/wecs/internal/termtext"
)

// tableAccept asks the API server for kubectl's server-side printing: the
// columns `kubectl get` shows, custom resources' printer columns included.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// TableColumn is one column of a kind's table, as the server defines it.
type TableColumn struct {
	Name string
	// Type is the OpenAPI type of the cells (string, integer, date …).
	Type string
	// Priority above 0 marks a column kubectl shows only with -o wide.
	Priority int
}

// TableRow is one object of a fleet table.
type TableRow struct {
	// Object is the object the row stands for, built from its metadata.
	Object Object
	// Cells are aligned with the table's columns, cleaned of escapes.
	Cells []string
}

// Key identifies the row across updates: its cluster and UID.
func (r TableRow) Key() string { return r.Object.Cluster + "/" + string(r.Object.UID) }

// TableSnapshot is a fleet table as it stands.
type TableSnapshot struct {
	// Kind is the kind's name (Pod, Widget …) once a WEC resolved it.
	Kind    string
	Columns []TableColumn
	// Rows are sorted by cluster, namespace and name.
	Rows []TableRow
	// Problems say, by cluster, why it shows no rows (forbidden, unknown
	// kind, not connected …) or only those of some namespaces.
	Problems map[string]string
	// Loading are the clusters whose first list has not come yet.
	Loading []string
	// Unknown says every WEC answered that it serves no such kind.
	Unknown bool
}

// FleetTable lists then watches one kind on every WEC in the API server's
// Table format, until Close. A WEC that joins or connects later is added,
// one that leaves is dropped.
type FleetTable struct {
	cancel  context.CancelFunc
	changed chan struct{}
	// members receives a value, coalesced, when the fleet's members change.
	members chan struct{}

	mu       sync.Mutex
	kind     string
	columns  map[string][]TableColumn // by cluster
	rows     map[string]map[types.UID]TableRow
	problems map[string]string
	unknown  map[string]bool // clusters that serve no such kind
	loading  map[string]bool
	// following are the clusters being read, with the config they are read
	// with and how to stop.
	following map[string]follower
	// loadingChanged is called, without t.mu, when a cluster's first list
	// starts or ends.
	loadingChanged func()
}

type follower struct {
	config *rest.Config
	stop   context.CancelFunc
}

// OpenTable starts a table of kind (as kubectl takes it: po, deploy,
// widgets …) across the fleet's WECs.
func (f *Fleet) OpenTable(kind string) *FleetTable {
	parent := f.ctx // set once by Start
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	t := NewFleetTable()
	t.cancel = cancel
	t.loadingChanged = f.tellListeners
	holdUntil(ctx, &f.tablesMu, f.tables, t, func() {
		if t.Loading() {
			f.tellListeners() // closed before its first lists ended
		}
	})
	t.sync(ctx, f, kind)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.members:
				t.sync(ctx, f, kind)
			}
		}
	}()
	return t
}

// sync follows the fleet's members: it starts reading a cluster that is
// new or connected with another config, and drops one that left.
func (t *FleetTable) sync(ctx context.Context, f *Fleet, kind string) {
	clusters := f.ClusterNames()
	loading := false
	defer func() {
		if loading {
			t.loadingChanged()
		}
	}()
	t.mu.Lock()
	defer t.signal()
	defer t.mu.Unlock()
	for cluster, fl := range t.following {
		if !slices.Contains(clusters, cluster) {
			fl.stop()
			delete(t.following, cluster)
		}
	}
	keepClusters(t.loading, clusters)
	keepClusters(t.unknown, clusters)
	keepClusters(t.problems, clusters)
	keepClusters(t.columns, clusters)
	keepClusters(t.rows, clusters)
	for _, cluster := range clusters {
		w, err := f.watchOf(cluster)
		if err != nil {
			if _, ok := t.following[cluster]; !ok {
				t.problems[cluster] = err.Error()
			}
			continue
		}
		if fl, ok := t.following[cluster]; ok {
			if fl.config == w.config {
				continue
			}
			fl.stop()
		}
		cctx, stop := context.WithCancel(ctx)
		t.following[cluster] = follower{config: w.config, stop: stop}
		delete(t.problems, cluster)
		t.loading[cluster], loading = true, true
		go t.follow(cctx, f.kc, cluster, w.config, w.namespaces, kind)
	}
}

// keepClusters drops the entries of clusters not in keep.
func keepClusters[V any](m map[string]V, keep []string) {
	maps.DeleteFunc(m, func(c string, _ V) bool { return !slices.Contains(keep, c) })
}

// membersChanged asks the table to follow the fleet's members again.
func (t *FleetTable) membersChanged() {
	select {
	case t.members <- struct{}{}:
	default:
	}
}

// NewFleetTable returns an empty table, filled with SetRows; OpenTable
// returns one that the WECs fill.
func NewFleetTable() *FleetTable {
	return &FleetTable{cancel: func() {}, changed: make(chan struct{}, 1), members: make(chan struct{}, 1), columns: map[string][]TableColumn{},
		rows: map[string]map[types.UID]TableRow{}, problems: map[string]string{}, unknown: map[string]bool{}, loading: map[string]bool{},
		following: map[string]follower{}, loadingChanged: func() {}}
}

// SetRows replaces a cluster's part of the table: its kind's name, the
// columns its server defines and its rows (keyed by UID).
func (t *FleetTable) SetRows(cluster, kind string, columns []TableColumn, rows []TableRow) {
	t.setRows(context.Background(), cluster, "", kind, columns, rows)
}

// SetProblem says why a cluster's part of the table has no rows.
func (t *FleetTable) SetProblem(cluster string, err error) {
	t.setProblem(context.Background(), cluster, err)
}

// setRows replaces the rows of one namespace, or all with "".
func (t *FleetTable) setRows(ctx context.Context, cluster, namespace, kind string, columns []TableColumn, rows []TableRow) {
	t.update(ctx, cluster, func() {
		t.replaceRows(cluster, namespace, kind, columns, rows)
	})
}

// replaceRows is setRows's change; the caller holds t.mu.
func (t *FleetTable) replaceRows(cluster, namespace, kind string, columns []TableColumn, rows []TableRow) {
	byUID := t.rows[cluster]
	if namespace == "" || byUID == nil {
		byUID = make(map[types.UID]TableRow, len(rows))
	} else {
		maps.DeleteFunc(byUID, func(_ types.UID, r TableRow) bool { return r.Object.Namespace == namespace })
	}
	for _, r := range rows {
		byUID[r.Object.UID] = r
	}
	t.kind = cmp.Or(t.kind, kind)
	t.columns[cluster], t.rows[cluster] = columns, byUID
	if namespace == "" {
		delete(t.problems, cluster) // a namespace's reader leaves the note that it reads only some
	}
}

func (t *FleetTable) setProblem(ctx context.Context, cluster string, err error) {
	var unknown *UnknownKindError
	t.update(ctx, cluster, func() {
		t.problems[cluster] = errorText(err)
		t.unknown[cluster] = errors.As(err, &unknown)
	})
}

// update makes a change to a cluster's part of the table under t.mu, which
// ends that cluster's first list. It changes nothing once ctx, the
// reader's, has ended: the cluster left, or is read afresh (sync ends
// readers under t.mu).
func (t *FleetTable) update(ctx context.Context, cluster string, change func()) {
	t.mu.Lock()
	if ctx.Err() != nil {
		t.mu.Unlock()
		return
	}
	change()
	_, first := t.loading[cluster]
	delete(t.loading, cluster)
	t.mu.Unlock()
	t.signal()
	if first {
		t.loadingChanged()
	}
}

// Loading reports whether some cluster's first list is under way.
func (t *FleetTable) Loading() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.loading) > 0
}

// Changed receives a value, coalesced, after the table changed.
func (t *FleetTable) Changed() <-chan struct{} { return t.changed }

// Close stops the table's watches.
func (t *FleetTable) Close() { t.cancel() }

func (t *FleetTable) signal() {
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// Snapshot is the table as it stands: the columns of every cluster merged
// by name, in the order they first appear.
func (t *FleetTable) Snapshot() TableSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TableSnapshot{Kind: t.kind, Problems: maps.Clone(t.problems)}
	clusters := slices.Sorted(maps.Keys(t.columns))
	index := map[string]int{}
	for _, c := range clusters {
		for _, col := range t.columns[c] {
			if _, ok := index[col.Name]; !ok {
				index[col.Name] = len(s.Columns)
				s.Columns = append(s.Columns, col)
			}
		}
	}
	for _, c := range clusters {
		for _, r := range t.rows[c] {
			cells := make([]string, len(s.Columns))
			for i, col := range t.columns[c] {
				if i < len(r.Cells) {
					cells[index[col.Name]] = r.Cells[i]
				}
			}
			s.Rows = append(s.Rows, TableRow{Object: r.Object, Cells: cells})
		}
	}
	slices.SortFunc(s.Rows, func(a, b TableRow) int {
		return cmp.Or(cmp.Compare(a.Object.Cluster, b.Object.Cluster), cmp.Compare(a.Object.Namespace, b.Object.Namespace),
			cmp.Compare(a.Object.Name, b.Object.Name))
	})
	s.Loading = slices.Sorted(maps.Keys(t.loading))
	s.Unknown = len(t.loading) == 0 && len(t.columns) == 0 && len(t.problems) > 0
	for c := range t.problems {
		s.Unknown = s.Unknown && t.unknown[c]
	}
	return s
}

// tableRetry spaces the attempts to list a cluster's table again.
const tableRetry = 5 * time.Second

// follow keeps one cluster's part of the table: resolve the kind, list,
// watch from the list's version, list again when the watch cannot go on.
func (t *FleetTable) follow(ctx context.Context, kc *Kubeconfig, cluster string, cfg *rest.Config, namespaces []string, kind string) {
	for ctx.Err() == nil {
		resolved, err := resolveOn(kc, cfg, kind)
		if err == nil {
			err = t.readAllowed(ctx, cluster, cfg, namespaces, resolved)
		}
		if ctx.Err() != nil {
			return
		}
		if watchEnded(err) {
			continue
		}
		t.setProblem(ctx, cluster, err)
		if unknown := (*UnknownKindError)(nil); errors.As(err, &unknown) {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(tableRetry):
		}
	}
}

// watchEnded says the server ended a watch, which is listed again.
func watchEnded(err error) bool {
	return errors.Is(err, io.EOF) || apierrors.IsResourceExpired(err) || apierrors.IsGone(err)
}

// resolveOn resolves kind through a cluster's discovery.
func resolveOn(kc *Kubeconfig, cfg *rest.Config, kind string) (resolvedKind, error) {
	discoveryConfig := rest.CopyConfig(cfg)
	discoveryConfig.Timeout = readTimeout // a WEC that does not answer holds up no one
	disc, err := kc.cachedDiscovery(discoveryConfig)
	if err != nil {
		return resolvedKind{}, err
	}
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(disc), disc, nil)
	resolved, err := resolveKind(mapper, kind)
	if err != nil {
		disc.Invalidate()
		if resolved, err = resolveKind(mapper, kind); err != nil {
			return resolvedKind{}, &UnknownKindError{Kind: kind}
		}
	}
	return resolved, nil
}

// readAllowed reads the kind cluster-wide or, when the user may not but
// may in some namespaces (as the tree does: those the user may list, and
// the given ones), in each of those, saying so.
func (t *FleetTable) readAllowed(ctx context.Context, cluster string, cfg *rest.Config, given []string, kind resolvedKind) error {
	err := t.read(ctx, cluster, cfg, kind, "")
	if !apierrors.IsForbidden(err) || !kind.namespaced {
		return err
	}
	dyn, derr := dynamic.NewForConfig(cfg)
	if derr != nil {
		return err
	}
	namespaces := allowedNamespaces(ctx, cfg, dyn, given, []schema.GroupVersionResource{kind.gvr})[kind.gvr]
	if len(namespaces) == 0 {
		return err
	}
	t.setProblem(ctx, cluster, fmt.Errorf("only %s %s: you may not list %s cluster-wide",
		map[bool]string{true: "namespace", false: "namespaces"}[len(namespaces) == 1], strings.Join(namespaces, ", "), kind.gvr.Resource))
	nctx, stop := context.WithCancel(ctx)
	defer stop()
	failed := make(chan error, len(namespaces))
	for _, ns := range namespaces {
		go func() {
			for {
				err := t.read(nctx, cluster, cfg, kind, ns)
				if nctx.Err() != nil || !watchEnded(err) {
					failed <- err
					return
				}
			}
		}()
	}
	return <-failed
}

// read lists the kind on a cluster (in one namespace, or all with "") and
// follows its watch until the watch ends; the error says why.
func (t *FleetTable) read(ctx context.Context, cluster string, cfg *rest.Config, resolved resolvedKind, namespace string) error {
	client, err := tableClient(cfg, resolved)
	if err != nil {
		return err
	}
	request := func() *rest.Request {
		return client.Get().Namespace(namespace).Resource(resolved.gvr.Resource).Param("includeObject", "Metadata").SetHeader("Accept", tableAccept)
	}
	body, err := request().DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("list %s: %w", resolved.gvr.GroupResource(), err)
	}
	var list metav1.Table
	if err := decodeJSON(body, &list); err != nil {
		return err
	}
	columns := make([]TableColumn, len(list.ColumnDefinitions))
	for i, c := range list.ColumnDefinitions {
		columns[i] = TableColumn{Name: termtext.Clean(c.Name), Type: c.Type, Priority: int(c.Priority)}
	}
	var rows []TableRow
	for _, r := range list.Rows {
		if row, ok := tableRow(cluster, resolved, r); ok {
			rows = append(rows, row)
		}
	}
	t.setRows(ctx, cluster, namespace, resolved.kind, columns, rows)
	stream, err := request().Param("watch", "true").Param("resourceVersion", list.ResourceVersion).Param("allowWatchBookmarks", "true").Stream(ctx)
	if err != nil {
		return fmt.Errorf("watch %s: %w", resolved.gvr.GroupResource(), err)
	}
	defer stream.Close()
	return t.watch(ctx, cluster, resolved, stream)
}

// watch applies a Table watch's events to a cluster's rows until the
// stream ends.
func (t *FleetTable) watch(ctx context.Context, cluster string, kind resolvedKind, stream io.Reader) error {
	dec := json.NewDecoder(stream)
	dec.UseNumber()
	for {
		var event metav1.WatchEvent
		if err := dec.Decode(&event); err != nil {
			return fmt.Errorf("watch %s: %w", kind.gvr.GroupResource(), err)
		}
		if event.Type == "ERROR" {
			var status metav1.Status
			_ = json.Unmarshal(event.Object.Raw, &status)
			return fmt.Errorf("watch %s: %w", kind.gvr.GroupResource(), &apierrors.StatusError{ErrStatus: status})
		}
		var table metav1.Table
		if err := decodeJSON(event.Object.Raw, &table); err != nil {
			continue // a bookmark is an object, not a table
		}
		t.mu.Lock()
		if ctx.Err() != nil {
			t.mu.Unlock()
			return ctx.Err()
		}
		for _, r := range table.Rows {
			row, ok := tableRow(cluster, kind, r)
			if !ok {
				continue
			}
			if event.Type == "DELETED" {
				delete(t.rows[cluster], row.Object.UID)
			} else {
				t.rows[cluster][row.Object.UID] = row
			}
		}
		t.mu.Unlock()
		t.signal()
	}
}

// tableClient is a REST client for the kind's API group and version.
func tableClient(cfg *rest.Config, kind resolvedKind) (*rest.RESTClient, error) {
	c := rest.CopyConfig(cfg)
	gv := kind.gvr.GroupVersion()
	c.GroupVersion = &gv
	c.APIPath = "/apis"
	if gv.Group == "" {
		c.APIPath = "/api"
	}
	c.ContentType, c.AcceptContentTypes = "application/json", tableAccept
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	return rest.RESTClientFor(c)
}

// decodeJSON decodes keeping numbers as they were written.
func decodeJSON(data []byte, into any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	return dec.Decode(into)
}

// tableRow is a Table row as the fleet table keeps it; ok is false when
// the row carries no metadata to know it by.
func tableRow(cluster string, kind resolvedKind, r metav1.TableRow) (TableRow, bool) {
	var partial metav1.PartialObjectMetadata
	if err := decodeJSON(r.Object.Raw, &partial); err != nil || partial.UID == "" {
		return TableRow{}, false
	}
	cells := make([]string, len(r.Cells))
	for i, c := range r.Cells {
		cells[i] = termtext.Clean(cellText(c))
	}
	obj := objectFromMeta(cluster, kind.gvr, kind.kind, &partial.ObjectMeta)
	return TableRow{Object: obj, Cells: cells}, true
}

// cellText prints a cell as kubectl does; a missing value is <none>.
func cellText(c any) string {
	switch c := c.(type) {
	case nil:
		return "<none>"
	case string:
		return c
	}
	return fmt.Sprint(c)
}
