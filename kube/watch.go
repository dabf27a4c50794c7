package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// ConnState is the state of wecs's connection to one WEC.
type ConnState string

// The connection states.
const (
	Unbound      ConnState = "Unbound"
	Connecting   ConnState = "Connecting"
	Connected    ConnState = "Connected"
	Disconnected ConnState = "Disconnected"
	// Idle: bound, but not watched until asked for (connecting lazily).
	Idle ConnState = "Idle"
)

// Connection says how wecs's watches on one WEC are doing.
type Connection struct {
	State ConnState
	// Err says what went wrong, for Disconnected (and Unbound).
	Err   string
	Since time.Time
	// StaleSince is when a cluster that had synced lost its connection: its
	// objects are kept as last seen from then on. Zero once it resyncs.
	StaleSince time.Time
	// Attempts counts connection attempts since the last success.
	Attempts int
	// NextRetry is when a Disconnected cluster is tried again.
	NextRetry time.Time
	// Forbidden lists the kinds the user may not list or watch there.
	Forbidden []string
	// Restricted are the kinds the user may not list and watch everywhere
	// (Forbidden, and those allowed in some namespaces only).
	Restricted []Restriction
	// Kinds is how many kinds are watched.
	Kinds int
	// Incomplete says which kinds the last discovery left out while their
	// objects are kept as last seen ("" when discovery was complete).
	Incomplete string
	// Listing says, while Connecting, how far the largest list still
	// under way has come: "listing pods 2,000/3,500".
	Listing string
}

// Unreachable reports whether wecs cannot read the WEC itself: it is
// Unbound (no way to reach it) or Disconnected.
func (c Connection) Unreachable() bool { return c.State == Unbound || c.State == Disconnected }

// Unwatched reports whether wecs reads nothing of the WEC itself now: it
// cannot reach it, or does not watch it yet (Idle).
func (c Connection) Unwatched() bool { return c.Unreachable() || c.State == Idle }

// Timeouts and backoff of a cluster connection.
const (
	probeTimeout   = 5 * time.Second
	healthInterval = 5 * time.Second
	connectTimeout = 15 * time.Second
	syncTimeout    = 90 * time.Second
	backoffBase    = time.Second
	backoffCap     = 30 * time.Second
)

// coverageResources are the built-in kinds wecs watches (the spec's
// coverage table); custom resources are added from discovery.
var coverageResources = []schema.GroupVersionResource{
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "apps", Version: "v1", Resource: "statefulsets"},
	{Group: "apps", Version: "v1", Resource: "daemonsets"},
	{Group: "apps", Version: "v1", Resource: "replicasets"},
	{Group: "batch", Version: "v1", Resource: "jobs"},
	{Group: "batch", Version: "v1", Resource: "cronjobs"},
	{Version: "v1", Resource: "pods"},
	{Version: "v1", Resource: "services"},
	{Version: "v1", Resource: "endpoints"},
	{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	{Version: "v1", Resource: "configmaps"},
	{Version: "v1", Resource: "secrets"},
	{Version: "v1", Resource: "persistentvolumes"},
	{Version: "v1", Resource: "persistentvolumeclaims"},
	{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"},
	{Version: "v1", Resource: "nodes"},
	{Version: "v1", Resource: "namespaces"},
}

// clusterWatch keeps the tree up to date with one WEC, reconnecting with
// backoff when the WEC goes away.
type clusterWatch struct {
	name     string
	config   *rest.Config
	tree     *Tree
	onChange func()

	mu        sync.Mutex
	conn      Connection
	reconnect chan struct{}
	// namespaces are where to look for kinds the user may not list
	// cluster-wide, besides the namespaces the user may list.
	namespaces []string
	// kinds, when set, are the only kinds read (see FleetOptions.Kinds).
	kinds []string
	// namespace, when set, is the only namespace namespaced kinds are read
	// in (see FleetOptions.Namespace).
	namespace string
	// expected are the kinds of the last session (only run reads and
	// writes them): a discovery without one of them is retried.
	expected map[schema.GroupResource]bool
	// synced says whether a session has ever synced, so that the tree holds
	// objects that a lost connection leaves stale.
	synced bool
	// listing is how far each kind's first list of a session has come.
	listing map[string]listProgress
	// mayList is closed once the first lists may start (see
	// FleetOptions.HoldWECs).
	mayList <-chan struct{}
}

// listProgress is how many objects of a kind's list have been read, of how
// many.
type listProgress struct{ done, total int }

func newClusterWatch(name string, config *rest.Config, namespaces []string, tree *Tree, onChange func()) *clusterWatch {
	return &clusterWatch{name: name, config: config, namespaces: namespaces, tree: tree, onChange: onChange, reconnect: make(chan struct{}, 1),
		conn: Connection{State: Connecting, Since: time.Now()}}
}

// Connection returns the current connection state.
func (w *clusterWatch) Connection() Connection {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.conn
	c.Forbidden = slices.Clone(c.Forbidden)
	c.Restricted = slices.Clone(c.Restricted)
	return c
}

func (w *clusterWatch) update(f func(c *Connection)) {
	w.mu.Lock()
	before := w.conn.State
	f(&w.conn)
	if w.conn.State != before {
		w.conn.Since = time.Now()
	}
	if w.conn.State != Connecting {
		w.listing, w.conn.Listing = nil, ""
	}
	switch {
	case w.conn.State == Connected:
		w.synced, w.conn.StaleSince = true, time.Time{}
	case w.conn.State == Disconnected && w.synced && w.conn.StaleSince.IsZero():
		w.conn.StaleSince = w.conn.Since
	}
	w.mu.Unlock()
	w.onChange()
}

// listed notes how far the list of a resource has come, while connecting.
func (w *clusterWatch) listed(resource string, done, total int) {
	w.mu.Lock()
	if w.conn.State != Connecting {
		// A list again after the session synced: nothing to show.
		w.mu.Unlock()
		return
	}
	if w.listing == nil {
		w.listing = map[string]listProgress{}
	}
	w.listing[resource] = listProgress{done, total}
	w.conn.Listing = listingText(w.listing)
	w.mu.Unlock()
	w.onChange()
}

// listingText names the largest list still under way ("" when none is).
func listingText(listing map[string]listProgress) string {
	var largest string
	for resource, p := range listing {
		if p.done < p.total && (largest == "" || p.total > listing[largest].total ||
			p.total == listing[largest].total && resource < largest) {
			largest = resource
		}
	}
	if largest == "" {
		return ""
	}
	p := listing[largest]
	return fmt.Sprintf("listing %s %s/%s", largest, groupDigits(p.done), groupDigits(p.total))
}

// groupDigits writes n with a comma every three digits: 3,500.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Reconnect asks for a new connection now (also skipping a backoff wait).
func (w *clusterWatch) Reconnect() {
	select {
	case w.reconnect <- struct{}{}:
	default:
	}
}

// backoff is the wait before attempt n (1-based): exponential, capped, with
// jitter so that many clusters do not retry in step.
func backoff(n int) time.Duration {
	d := backoffBase << min(n-1, 10)
	d = min(d, backoffCap)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (w *clusterWatch) run(ctx context.Context) {
	for attempt := 1; ; attempt++ {
		w.update(func(c *Connection) { c.State, c.Err, c.Attempts = Connecting, "", attempt })
		connected, err := w.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			// The backoff starts over after a connection that worked.
			attempt = 1
		}
		if errors.Is(err, errReconnectRequested) || errors.Is(err, errMoreKinds) || (connected && errors.Is(err, errListAgain)) {
			attempt = 0
			continue
		}
		wait := backoff(attempt)
		w.update(func(c *Connection) {
			c.State, c.Err, c.NextRetry = Disconnected, errorText(err), time.Now().Add(wait)
		})
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		case <-w.reconnect:
			attempt = 0
		}
	}
}

var (
	errReconnectRequested = errors.New("reconnect requested")
	// errMoreKinds ends a session that started on an incomplete discovery
	// once the server serves more kinds.
	errMoreKinds = errors.New("more kinds served")
	// errListAgain ends a session whose watches cannot be trusted to
	// catch up by themselves: the server dropped their connection and came
	// back (a restart), or refused a kind it had listed.
	errListAgain = errors.New("listing every kind again")
)

// connectionLost says whether a watch or list failed because the connection
// to the server broke, rather than with an answer from the server.
func connectionLost(err error) bool {
	return utilnet.IsConnectionRefused(err) || utilnet.IsConnectionReset(err) || utilnet.IsProbableEOF(err) ||
		utilnet.IsHTTP2ConnectionLost(err) || errors.Is(err, io.ErrUnexpectedEOF)
}

// errorText shortens client errors to a line a person can act on.
func errorText(err error) string {
	if err == nil {
		return "connection lost"
	}
	msg := err.Error()
	switch {
	case errors.Is(err, ErrReadOnly):
		return msg
	case strings.Contains(msg, "connection refused"):
		return "connection refused: the API server is down or unreachable"
	case isTLSError(err):
		return "TLS: " + msg
	case apierrors.IsUnauthorized(err):
		return "unauthorized: the credentials of this context were refused"
	}
	return msg
}

// isTLSError says whether err comes from the TLS handshake or the
// certificate check, not merely mentions certificates (as the URL of a
// CertificateSigningRequest does).
func isTLSError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		invalid          x509.CertificateInvalidError
		hostname         x509.HostnameError
		verification     *tls.CertificateVerificationError
		record           tls.RecordHeaderError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		errors.As(err, &verification) || errors.As(err, &record) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "x509: ") || strings.Contains(msg, "tls: ")
}

// session connects once: discovers the kinds, starts the informers, waits
// for them to sync and then until the connection fails. connected says
// whether it got that far.
func (w *clusterWatch) session(ctx context.Context) (connected bool, err error) {
	probe := rest.CopyConfig(w.config)
	probe.Timeout = connectTimeout
	disc, err := discovery.NewDiscoveryClientForConfig(probe)
	if err != nil {
		return false, err
	}
	c, err := newClients(w.name, w.config)
	if err != nil {
		return false, err
	}
	dyn := c.dynamic
	found, err := discover(ctx, disc, dyn, w.expected)
	if err != nil {
		return false, err
	}
	// Connected and discovered, it may have to wait for the fleet's
	// release before it lists (HoldWECs).
	select {
	case <-w.mayList:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	gvrs := found.kinds
	if len(w.kinds) > 0 {
		gvrs = slices.DeleteFunc(slices.Clone(gvrs), func(gvr schema.GroupVersionResource) bool {
			return !slices.ContainsFunc(w.kinds, func(k string) bool { return strings.EqualFold(k, found.kindNames[gvr.GroupResource()]) })
		})
	}
	// Kinds left out of a discovery whose group failed keep their objects;
	// every other kind is listed again, or gone.
	kept := map[schema.GroupResource]bool{}
	for _, gr := range found.unserved() {
		kept[gr] = true
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	failed := make(chan error, 1)
	fail := func(err error) {
		select {
		case failed <- err:
		default:
		}
	}
	gen := w.tree.BeginResync(w.name)
	var running sync.WaitGroup
	defer func() {
		cancel()
		running.Wait()
	}()
	// watchKind starts an informer on one kind, cluster-wide (namespace "")
	// or in one namespace. An informer the server forbids stops.
	watchKind := func(gvr schema.GroupVersionResource, namespace string) (*kindWatch, error) {
		reader, err := c.reader(gvr, found.kindNames[gvr.GroupResource()])
		if err != nil {
			return nil, err
		}
		ictx, stop := context.WithCancel(sctx)
		kw := &kindWatch{gvr: gvr, namespace: namespace, refused: make(chan struct{})}
		listed := func(done, total int) { w.listed(gvr.Resource, done, total) }
		lw := listWatch(reader, namespace, listed)
		if customGroup(gvr.Group) {
			lw = shortWatches(lw)
		}
		inf := cache.NewSharedIndexInformer(lw, &row{}, 0, cache.Indexers{})
		_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			if apierrors.IsForbidden(err) {
				// Refused after it had listed: the rights changed (or the
				// server is still starting), so every kind is listed again.
				changed := kw.handled.HasSynced()
				kw.refuse.Do(func() { close(kw.refused) })
				stop()
				if changed {
					fail(fmt.Errorf("%w: %s refused", errListAgain, gvr.Resource))
				}
				return
			}
			// A broken watch is normal now and then; a server that no longer
			// answers means the cluster is gone, and one that dropped the
			// connection and answers again has restarted.
			switch perr := probeServer(sctx, disc); {
			case sctx.Err() != nil:
			case perr != nil:
				fail(perr)
			case connectionLost(err):
				fail(fmt.Errorf("%w: %v", errListAgain, err))
			}
		})
		reg, err := inf.AddEventHandler(w.handler())
		if err != nil {
			stop()
			return nil, err
		}
		kw.handled = reg
		running.Go(func() { inf.RunWithContext(ictx) })
		return kw, nil
	}
	// waitListed waits until every informer has listed or was forbidden.
	deadline := time.After(syncTimeout)
	waitListed := func(watches []*kindWatch) error {
		for _, kw := range watches {
			select {
			case <-kw.handled.HasSyncedChecker().Done():
			case <-kw.refused:
			case err := <-failed:
				return err
			case <-ctx.Done():
				return ctx.Err()
			case <-deadline:
				pending := slices.DeleteFunc(slices.Clone(watches), (*kindWatch).settled)
				return fmt.Errorf("%d kinds did not finish listing within %s", len(pending), syncTimeout)
			}
		}
		return nil
	}
	var clusterWide []*kindWatch
	for _, gvr := range gvrs {
		namespace := ""
		if found.namespaced[gvr.GroupResource()] {
			namespace = w.namespace
		}
		kw, err := watchKind(gvr, namespace)
		if err != nil {
			return false, err
		}
		clusterWide = append(clusterWide, kw)
	}
	if err := waitListed(clusterWide); err != nil {
		return false, err
	}
	// A namespaced kind the user may not list cluster-wide is watched in
	// each namespace where it may be (unless one namespace is all that is
	// read).
	var refused []schema.GroupVersionResource
	for _, kw := range clusterWide {
		if kw.forbidden() && found.namespaced[kw.gvr.GroupResource()] && w.namespace == "" {
			refused = append(refused, kw.gvr)
		}
	}
	var perNamespace []*kindWatch
	for gvr, namespaces := range allowedNamespaces(sctx, w.config, dyn, w.namespaces, refused) {
		for _, ns := range namespaces {
			kw, err := watchKind(gvr, ns)
			if err != nil {
				return false, err
			}
			perNamespace = append(perNamespace, kw)
		}
	}
	if err := waitListed(perNamespace); err != nil {
		return false, err
	}
	w.tree.EndResync(w.name, gen, func(group, resource string) bool {
		return !kept[schema.GroupResource{Group: group, Resource: resource}]
	})
	w.expected = maps.Clone(kept)
	for _, gvr := range gvrs {
		w.expected[gvr.GroupResource()] = true
	}
	restricted := restrictions(clusterWide, perNamespace, found)
	var forbidden []string
	for _, r := range restricted {
		if len(r.Namespaces) == 0 {
			forbidden = append(forbidden, r.Resource.Resource+"."+r.Resource.Group)
		}
	}
	w.update(func(c *Connection) {
		c.State, c.Err, c.Attempts, c.Kinds = Connected, "", 0, len(gvrs)
		c.Incomplete = incompleteText(found.missing)
		c.Forbidden, c.Restricted = forbidden, restricted
	})
	// Reflectors retry a refused connection quietly, so the server's health
	// is checked on its own as well.
	health := time.NewTicker(healthInterval)
	defer health.Stop()
	for {
		select {
		case err := <-failed:
			return true, err
		case <-w.reconnect:
			return true, errReconnectRequested
		case <-ctx.Done():
			return true, ctx.Err()
		case <-health.C:
			if err := probeServer(sctx, disc); err != nil && sctx.Err() == nil {
				return true, err
			}
			if !found.complete() && servesMore(sctx, disc, dyn, gvrs) {
				return true, errMoreKinds
			}
		}
	}
}

// servesMore says whether the server now serves a kind that the session
// does not watch.
func servesMore(ctx context.Context, disc discovery.DiscoveryInterface, dyn dynamic.Interface, watched []schema.GroupVersionResource) bool {
	have := map[schema.GroupResource]bool{}
	for _, gvr := range watched {
		have[gvr.GroupResource()] = true
	}
	found, err := discoverKinds(ctx, disc, dyn, nil)
	if err != nil {
		return false
	}
	for _, gvr := range found.kinds {
		if !have[gvr.GroupResource()] {
			return true
		}
	}
	return false
}

// probeServer asks the server for its version, briefly.
func probeServer(ctx context.Context, disc *discovery.DiscoveryClient) error {
	_, err := disc.RESTClient().Get().AbsPath("/version").Timeout(probeTimeout).DoRaw(ctx)
	return err
}

func (w *clusterWatch) handler() cache.ResourceEventHandler {
	upsert := func(obj any) {
		if r, ok := obj.(*row); ok {
			w.tree.Upsert(r.Object)
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    upsert,
		UpdateFunc: func(_, obj any) { upsert(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if m, ok := obj.(metav1.Object); ok {
				w.tree.Delete(w.name, m.GetUID())
			}
		},
	}
}

// customWatchTimeout bounds a watch of a custom resource.
const customWatchTimeout = 60

// shortWatches ends each watch within customWatchTimeout seconds, to be
// opened again from where it was. A watch of a custom resource opened as
// the API server replaces the kind's storage (its CustomResourceDefinition
// written again, as OCM's agent does when it reconnects) can stay open and
// hear nothing more until it times out, which is otherwise minutes away.
func shortWatches(lw *cache.ListWatch) *cache.ListWatch {
	open := lw.WatchFuncWithContext
	lw.WatchFuncWithContext = func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		if opts.TimeoutSeconds == nil || *opts.TimeoutSeconds > customWatchTimeout {
			timeout := int64(customWatchTimeout)
			opts.TimeoutSeconds = &timeout
		}
		return open(ctx, opts)
	}
	return lw
}

// customGroup tells API groups of custom resources from Kubernetes' own.
func customGroup(group string) bool {
	return strings.Contains(group, ".") && !strings.HasSuffix(group, ".k8s.io")
}
