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
	"k8s.io/apimachinery/pkg/types"
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
	// kind, not connected …).
	Problems map[string]string
	// Loading are the clusters whose first list has not come yet.
	Loading []string
}

// FleetTable lists then watches one kind on every WEC in the API server's
// Table format, until Close.
type FleetTable struct {
	cancel  context.CancelFunc
	changed chan struct{}

	mu       sync.Mutex
	kind     string
	columns  map[string][]TableColumn // by cluster
	rows     map[string]map[types.UID]TableRow
	problems map[string]string
	loading  map[string]bool
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
	for _, cluster := range f.ClusterNames() {
		cfg, err := f.config(cluster)
		if err != nil {
			t.problems[cluster] = err.Error()
			continue
		}
		t.loading[cluster] = true
		go t.follow(ctx, f.kc, cluster, cfg, kind)
	}
	return t
}

// NewFleetTable returns an empty table, filled with SetRows; OpenTable
// returns one that the WECs fill.
func NewFleetTable() *FleetTable {
	return &FleetTable{cancel: func() {}, changed: make(chan struct{}, 1), columns: map[string][]TableColumn{},
		rows: map[string]map[types.UID]TableRow{}, problems: map[string]string{}, loading: map[string]bool{}}
}

// SetRows replaces a cluster's part of the table: its kind's name, the
// columns its server defines and its rows (keyed by UID).
func (t *FleetTable) SetRows(cluster, kind string, columns []TableColumn, rows []TableRow) {
	byUID := make(map[types.UID]TableRow, len(rows))
	for _, r := range rows {
		byUID[r.Object.UID] = r
	}
	t.mu.Lock()
	t.kind = cmp.Or(t.kind, kind)
	t.columns[cluster], t.rows[cluster] = columns, byUID
	delete(t.problems, cluster)
	delete(t.loading, cluster)
	t.mu.Unlock()
	t.signal()
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
	return s
}

// tableRetry spaces the attempts to list a cluster's table again.
const tableRetry = 5 * time.Second

// follow keeps one cluster's part of the table: resolve the kind, list,
// watch from the list's version, list again when the watch cannot go on.
func (t *FleetTable) follow(ctx context.Context, kc *Kubeconfig, cluster string, cfg *rest.Config, kind string) {
	for ctx.Err() == nil {
		err := t.read(ctx, kc, cluster, cfg, kind)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, io.EOF) || apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
			continue // the server ended the watch: list again
		}
		var unknown *UnknownKindError
		t.mu.Lock()
		delete(t.loading, cluster)
		t.problems[cluster] = errorText(err)
		t.mu.Unlock()
		t.signal()
		if errors.As(err, &unknown) {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(tableRetry):
		}
	}
}

// read resolves the kind on a cluster, lists it and follows its watch
// until the watch ends; the error says why.
func (t *FleetTable) read(ctx context.Context, kc *Kubeconfig, cluster string, cfg *rest.Config, kind string) error {
	discoveryConfig := rest.CopyConfig(cfg)
	discoveryConfig.Timeout = readTimeout // a WEC that does not answer holds up no one
	disc, err := kc.cachedDiscovery(discoveryConfig)
	if err != nil {
		return err
	}
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(disc), disc, nil)
	resolved, err := resolveKind(mapper, kind)
	if err != nil {
		disc.Invalidate()
		if resolved, err = resolveKind(mapper, kind); err != nil {
			return &UnknownKindError{Kind: kind}
		}
	}
	client, err := tableClient(cfg, resolved)
	if err != nil {
		return err
	}
	request := func() *rest.Request {
		return client.Get().Resource(resolved.gvr.Resource).Param("includeObject", "Metadata").SetHeader("Accept", tableAccept)
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
	t.SetRows(cluster, resolved.kind, columns, rows)
	stream, err := request().Param("watch", "true").Param("resourceVersion", list.ResourceVersion).Param("allowWatchBookmarks", "true").Stream(ctx)
	if err != nil {
		return fmt.Errorf("watch %s: %w", resolved.gvr.GroupResource(), err)
	}
	defer stream.Close()
	return t.watch(cluster, resolved, stream)
}

// watch applies a Table watch's events to a cluster's rows until the
// stream ends.
func (t *FleetTable) watch(cluster string, kind resolvedKind, stream io.Reader) error {
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
