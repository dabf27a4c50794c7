package kube

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/cache"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterinformers "open-cluster-management.io/api/client/cluster/informers/externalversions"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	workv1 "open-cluster-management.io/api/work/v1"
)

// Member is one WEC of the fleet: what the ITS says, how wecs reaches it and
// how that connection is doing.
type Member struct {
	ClusterInfo
	Binding    Binding
	Connection Connection
}

// FleetOptions tune a Fleet.
type FleetOptions struct {
	// WECContexts maps cluster names to kubeconfig contexts, before any
	// matching by name, URL or CA.
	WECContexts map[string]string
	// Namespaces are where to watch the kinds a user may not list
	// cluster-wide (with each context's own namespace and, when the user
	// may list namespaces, every namespace the user may read them in).
	Namespaces []string
	// Kinds, when set, are the only kinds read on each WEC (kind names,
	// compared case-insensitively): a command about pods lists pods alone.
	Kinds []string
	// Namespace, when set, is the only namespace namespaced kinds are read
	// in: a command about one object reads its namespace alone.
	Namespace string
	// Clusters, when set, are the only WECs watched and the only members: a
	// command about one object reads its WEC alone, and says nothing of
	// the others.
	Clusters []string
	// HoldWECs holds the WECs' first lists until ReleaseWECs: a UI draws
	// the ITS's clusters first, before those lists take the CPU. The WECs
	// connect and discover their kinds meanwhile.
	HoldWECs bool
	// Connect says which WECs are watched: all (""), or
	// lazily only those Connect names, or auto.
	Connect ConnectMode
}

// ConnectMode says which WECs a fleet watches.
type ConnectMode string

// The connect modes.
const (
	// ConnectAll watches every bound WEC.
	ConnectAll ConnectMode = "all"
	// ConnectLazy watches a WEC only once Connect names it: until then it
	// is Idle.
	ConnectLazy ConnectMode = "lazy"
	// ConnectAuto is ConnectAll for a fleet of at most AutoConnectLimit
	// bound WECs once the ITS's clusters are listed, else ConnectLazy.
	ConnectAuto ConnectMode = "auto"
)

// AutoConnectLimit is the most bound WECs ConnectAuto watches at once.
const AutoConnectLimit = 20

// ParseConnectMode reads a connect mode as a flag gives it.
func ParseConnectMode(s string) (ConnectMode, error) {
	switch m := ConnectMode(s); m {
	case ConnectAll, ConnectLazy, ConnectAuto:
		return m, nil
	}
	return "", fmt.Errorf("%q is no connect mode: give auto (all up to %d bound WECs, else lazy), all or lazy", s, AutoConnectLimit)
}

// Fleet discovers the WECs from the ITS's ManagedClusters, binds each to a
// kubeconfig context and keeps a live watch on each, feeding one Tree.
type Fleet struct {
	kc         *Kubeconfig
	itsContext string
	opts       FleetOptions
	// Tree holds every watched object of every WEC.
	Tree *Tree

	mu       sync.RWMutex
	clusters map[string]*clusterv1.ManagedCluster
	csrs     map[string]int // pending registration CSRs by cluster
	bindings map[string]Binding
	watches  map[string]*runningWatch
	// policies maps "cluster/manifestwork" to the KubeStellar binding policy
	// that produced the ManifestWork.
	policies map[string]string
	// works holds what the work agents report of the ITS's ManifestWorks,
	// converted once per change, by cluster then name.
	works map[string]map[string]WorkStatus
	// workList is works as one slice, made again after a change (nil then).
	workList []WorkStatus
	// delivered holds, by cluster, DeliveredObjects as last made; a change
	// of one of the cluster's ManifestWorks, or of the cluster, drops its entry.
	delivered map[string][]Object
	// worksListed: the ITS's ManifestWorks have been listed once;
	// worksProblem is why their list failed, until it succeeds.
	worksListed  bool
	worksProblem string
	// itsProblem is why the ITS did not answer its last probe ("" if it did).
	itsProblem string
	perms      permissions
	changed    chan struct{}
	ctx        context.Context
	// begun: the ITS's clusters are listed and the watches may start;
	// lazy: each waits for Connect.
	begun, lazy bool
	// mayList is closed once the WECs' first lists may start: at once
	// without HoldWECs, else by ReleaseWECs.
	mayList chan struct{}
	release sync.Once
	// connected are the WECs Connect named: connecting lazily, a new watch
	// of theirs (after their binding changed) starts at once too.
	connected map[string]bool

	tablesMu sync.Mutex
	// tables are the open fleet tables, and listeners the channels of
	// Listen: both are told when the members change.
	tables    map[*FleetTable]bool
	listeners map[chan struct{}]bool
}

type runningWatch struct {
	watch   *clusterWatch
	binding Binding
	cancel  context.CancelFunc
	// run starts the watch; started says it did (else the WEC is Idle).
	run     func()
	started bool
}

// start runs the watch unless it runs already; the caller holds f.mu.
func (w *runningWatch) start() {
	if !w.started {
		w.started = true
		w.run()
	}
}

// NewFleet prepares a fleet for the ITS behind itsContext; Start runs it.
func NewFleet(kc *Kubeconfig, itsContext string, opts FleetOptions) *Fleet {
	f := &Fleet{kc: kc, itsContext: itsContext, opts: opts, Tree: NewTree(), lazy: opts.Connect == ConnectLazy, mayList: make(chan struct{}),
		clusters: map[string]*clusterv1.ManagedCluster{}, csrs: map[string]int{}, bindings: map[string]Binding{},
		watches: map[string]*runningWatch{}, policies: map[string]string{}, works: map[string]map[string]WorkStatus{}, delivered: map[string][]Object{}, connected: map[string]bool{}, changed: make(chan struct{}, 1),
		tables: map[*FleetTable]bool{}, listeners: map[chan struct{}]bool{}}
	if !opts.HoldWECs {
		f.ReleaseWECs()
	}
	return f
}

// Changed receives a value, coalesced, when a member's ITS record, binding
// or connection changes (object changes come on Tree.Changed).
func (f *Fleet) Changed() <-chan struct{} { return f.changed }

func (f *Fleet) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
	f.tablesMu.Lock()
	for t := range f.tables {
		t.membersChanged()
	}
	f.tablesMu.Unlock()
	f.tellListeners()
}

// tellListeners tells the channels of Listen that something changed.
func (f *Fleet) tellListeners() {
	f.tablesMu.Lock()
	defer f.tablesMu.Unlock()
	for l := range f.listeners {
		select {
		case l <- struct{}{}:
		default:
		}
	}
}

// Listen returns a channel that receives a value, coalesced, at each
// change Changed reports and each start or end of a fleet table's first
// list, until ctx ends: for a reader beside the one that reads Changed.
func (f *Fleet) Listen(ctx context.Context) <-chan struct{} {
	l := make(chan struct{}, 1)
	holdUntil(ctx, &f.tablesMu, f.listeners, l, func() {})
	return l
}

// holdUntil keeps key in set, under mu, until ctx ends; then it takes it
// out and calls ended.
func holdUntil[K comparable](ctx context.Context, mu *sync.Mutex, set map[K]bool, key K, ended func()) {
	mu.Lock()
	set[key] = true
	mu.Unlock()
	context.AfterFunc(ctx, func() {
		mu.Lock()
		delete(set, key)
		mu.Unlock()
		ended()
	})
}

// Listing reports whether the fleet is reading something whole: a watched
// WEC connecting (its first lists, or its lists again after it lost its
// connection), the ITS's ManifestWorks before their first list, or an open
// fleet table's first lists.
func (f *Fleet) Listing() bool {
	if f.watchesListing() {
		return true
	}
	f.tablesMu.Lock()
	tables := slices.Collect(maps.Keys(f.tables))
	f.tablesMu.Unlock()
	return slices.ContainsFunc(tables, (*FleetTable).Loading)
}

func (f *Fleet) watchesListing() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if !f.worksListed && f.worksProblem == "" {
		return true
	}
	for _, w := range f.watches {
		if w.started && w.watch.Connection().State == Connecting {
			return true
		}
	}
	return false
}

// ErrITS wraps every failure to use the ITS.
var ErrITS = errors.New("ITS")

// Start checks the ITS, starts watching its ManagedClusters and registration
// CSRs, and returns once the first list is in. Watches on the WECs start in
// the background and stop with ctx.
func (f *Fleet) Start(ctx context.Context) error {
	cfg, err := f.kc.RESTConfig(f.itsContext)
	if err != nil {
		return fmt.Errorf("%w context %q: %v", ErrITS, f.itsContext, err)
	}
	// The ITS is checked while its ManagedClusters list: their informers
	// run until ctx ends, or stop at once when Start fails.
	checked := make(chan error, 1)
	go func() { checked <- checkITS(cfg, f.itsContext) }()
	informed, stopInformers := context.WithCancel(ctx)
	fail := func(err error) error {
		stopInformers()
		return err
	}
	context.AfterFunc(ctx, stopInformers)
	oc, err := clusterclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	f.ctx = ctx
	mcFactory := clusterinformers.NewSharedInformerFactory(oc, 0)
	mcInformer := mcFactory.Cluster().V1().ManagedClusters().Informer()
	mcHandled, _ := mcInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { f.clusterChanged(obj) },
		UpdateFunc: func(_, obj any) { f.clusterChanged(obj) },
		DeleteFunc: func(obj any) { f.clusterDeleted(obj) },
	})
	csrFactory := informers.NewSharedInformerFactoryWithOptions(kc, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.LabelSelector = clusterv1.ClusterNameLabelKey
	}))
	csrInformer := csrFactory.Certificates().V1().CertificateSigningRequests().Informer()
	csrForbidden := make(chan struct{})
	var once sync.Once
	_ = csrInformer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) {
			once.Do(func() { close(csrForbidden) })
		}
	})
	recount := func(any) { f.recountCSRs(csrInformer.GetStore().List()) }
	csrHandled, _ := csrInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: recount, UpdateFunc: func(_, o any) { recount(o) }, DeleteFunc: recount,
	})
	wc, err := workclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	workInformer := cache.NewSharedIndexInformer(workListWatch(wc), &workv1.ManifestWork{}, 0, cache.Indexers{})
	_ = workInformer.SetTransform(func(obj any) (any, error) {
		// Only the labels and the agent's status are read: the manifests
		// can be large (the list leaves them out; a watch event has them).
		if mw, ok := obj.(*workv1.ManifestWork); ok {
			mw.Spec = workv1.ManifestWorkSpec{}
			mw.ManagedFields = nil
			mw.Annotations = nil
		}
		return obj, nil
	})
	_ = workInformer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) { f.worksFailed(err) })
	workHandled, _ := workInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: f.workChanged, UpdateFunc: func(_, o any) { f.workChanged(o) }, DeleteFunc: f.workDeleted,
	})
	mcFactory.Start(informed.Done())
	csrFactory.Start(informed.Done())
	if err := <-checked; err != nil {
		return fail(err)
	}
	syncCtx, cancel := context.WithTimeout(ctx, connectTimeout+15*time.Second)
	defer cancel()
	select {
	case <-mcHandled.HasSyncedChecker().Done():
	case <-syncCtx.Done():
		return fail(fmt.Errorf("%w: the ManagedClusters of context %q did not list in time; check the ITS and your access to managedclusters.cluster.open-cluster-management.io", ErrITS, f.itsContext))
	}
	f.beginWatches()
	// CSRs are optional (RBAC may forbid them): wait briefly, never fail.
	select {
	case <-csrForbidden:
	case <-syncCtx.Done():
	case <-csrHandled.HasSyncedChecker().Done():
	}
	// The ManifestWorks can be many times the ManagedClusters' size: they
	// list once the clusters are in, so as not to delay the first frame.
	go workInformer.RunWithContext(ctx)
	go f.awaitWorks(ctx, workHandled.HasSyncedChecker())
	go f.probeITS(ctx, kc.Discovery().RESTClient())
	return nil
}

// awaitWorks records when the ManifestWorks' first list is in.
func (f *Fleet) awaitWorks(ctx context.Context, synced cache.DoneChecker) {
	select {
	case <-synced.Done():
	case <-ctx.Done():
		return
	}
	f.mu.Lock()
	f.worksListed, f.worksProblem = true, ""
	f.mu.Unlock()
	f.notify()
}

// worksFailed records why the ManifestWorks could not be listed or watched
// (RBAC may forbid them), until their first list is in.
func (f *Fleet) worksFailed(err error) {
	err = serverAnswer(err)
	f.mu.Lock()
	changed := !f.worksListed && f.worksProblem != errorText(err)
	if changed {
		f.worksProblem = errorText(err)
	}
	f.mu.Unlock()
	if changed {
		f.notify()
	}
}

// serverAnswer is the server's answer in an informer's error, without the
// informer's "failed to list …" around it; err when it holds none.
func serverAnswer(err error) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return status.(error)
	}
	return err
}

// WorksListed says whether Works holds the ITS's ManifestWorks yet (false
// while their first list runs), and, while it does not, why their list
// failed ("" when it has not).
func (f *Fleet) WorksListed() (bool, string) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.worksListed, f.worksProblem
}

// probeITS asks the ITS for its version every healthInterval and records
// whether it answered: its informers retry a lost connection silently, so
// without this an ITS that went away would look fine, with stale members.
func (f *Fleet) probeITS(ctx context.Context, client rest.Interface) {
	tick := time.NewTicker(healthInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		problem := ""
		if _, err := client.Get().AbsPath("/version").Timeout(probeTimeout).DoRaw(ctx); err != nil {
			problem = errorText(err)
		}
		f.mu.Lock()
		changed := f.itsProblem != problem
		f.itsProblem = problem
		f.mu.Unlock()
		if changed {
			f.notify()
		}
	}
}

// ITSProblem says why the ITS did not answer its last health probe, or ""
// when it did: while it is set, the members are as last seen.
func (f *Fleet) ITSProblem() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.itsProblem
}

// checkITS makes sure the ITS answers and serves ManagedClusters, with an
// error that says what to do when not.
func checkITS(cfg *rest.Config, context string) error {
	probe := rest.CopyConfig(cfg)
	probe.Timeout = connectTimeout
	kc, err := kubernetes.NewForConfig(probe)
	if err != nil {
		return err
	}
	if _, err := kc.Discovery().ServerVersion(); err != nil {
		return itsDoesNotAnswer(cfg, context, err)
	}
	if _, err := kc.Discovery().ServerResourcesForGroupVersion(clusterv1.GroupVersion.String()); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("%w context %q serves no ManagedClusters (%s): it is not an Open Cluster Management hub; pass the ITS's context with --its-context",
				ErrITS, context, clusterv1.GroupVersion.String())
		}
		return fmt.Errorf("%w context %q: %s", ErrITS, context, errorText(err))
	}
	return nil
}

// itsDoesNotAnswer is the error of an ITS that could not be reached.
func itsDoesNotAnswer(cfg *rest.Config, context string, err error) error {
	return fmt.Errorf("%w context %q does not answer at %s: %s; check that the ITS runs and that --its-context names it",
		ErrITS, context, cfg.Host, errorText(err))
}

// clusterChanged keeps a ManagedCluster and rebinds it. Binding through the
// cluster-proxy asks the ITS, so it happens outside the lock (the informer
// calls this from one goroutine, one change at a time).
func (f *Fleet) clusterChanged(obj any) {
	mc, ok := obj.(*clusterv1.ManagedCluster)
	if !ok {
		return
	}
	b := f.kc.Bind(mc, f.opts.WECContexts)
	f.mu.Lock()
	f.clusters[mc.Name] = mc
	changed := f.setBindingLocked(mc.Name, b)
	f.mu.Unlock()
	if changed && b.Bound() {
		cfg, err := f.kc.BindingConfig(f.ctx, mc.Name, b)
		f.mu.Lock()
		f.startWatchLocked(mc.Name, b, cfg, err)
		f.mu.Unlock()
	}
	f.notify()
}

func (f *Fleet) clusterDeleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	mc, ok := obj.(*clusterv1.ManagedCluster)
	if !ok {
		return
	}
	f.mu.Lock()
	delete(f.clusters, mc.Name)
	delete(f.bindings, mc.Name)
	delete(f.delivered, mc.Name)
	delete(f.connected, mc.Name)
	if w, ok := f.watches[mc.Name]; ok {
		w.cancel()
		delete(f.watches, mc.Name)
	}
	f.mu.Unlock()
	f.Tree.RemoveCluster(mc.Name)
	f.notify()
}

// setBindingLocked records a cluster's binding and, when it changed, stops
// the watch of the old one; it reports whether it changed.
func (f *Fleet) setBindingLocked(name string, b Binding) bool {
	f.bindings[name] = b
	running, ok := f.watches[name]
	if ok && running.binding == b {
		return false
	}
	if ok {
		running.cancel()
		delete(f.watches, name)
	}
	return true
}

// startWatchLocked starts the watch of a cluster bound by b, unless the
// cluster left or was bound otherwise meanwhile.
func (f *Fleet) startWatchLocked(name string, b Binding, cfg *rest.Config, err error) {
	if _, ok := f.clusters[name]; !ok || f.bindings[name] != b || f.watches[name] != nil {
		return
	}
	if len(f.opts.Clusters) > 0 && !slices.Contains(f.opts.Clusters, name) {
		return
	}
	if err != nil {
		f.bindings[name] = Binding{Problem: err.Error()}
		return
	}
	cfg.QPS, cfg.Burst = 50, 100
	ctx, cancel := context.WithCancel(f.ctx)
	namespaces := append(slices.Clone(f.opts.Namespaces), f.kc.ContextNamespace(b.Context))
	w := newClusterWatch(name, cfg, namespaces, f.Tree, f.notify)
	w.kinds, w.namespace, w.mayList = f.opts.Kinds, f.opts.Namespace, f.mayList
	running := &runningWatch{watch: w, binding: b, cancel: cancel, run: func() {
		go func() {
			w.run(ctx)
			// A transport of this binding's own (through the cluster-proxy)
			// is not used again once its watch ends.
			utilnet.CloseIdleConnectionsFor(cfg.Transport)
		}()
	}}
	f.watches[name] = running
	if f.begun && (!f.lazy || f.connected[name]) {
		running.start()
	}
}

// beginWatches starts the WECs' watches, and any later ones at once, now
// that the ITS's clusters are listed; with ConnectAuto it decides here, from
// how many WECs are bound, whether to connect lazily.
func (f *Fleet) beginWatches() {
	f.mu.Lock()
	f.begun = true
	if f.opts.Connect == ConnectAuto {
		f.lazy = len(f.watches) > AutoConnectLimit
	}
	for name, w := range f.watches {
		if !f.lazy || f.connected[name] {
			w.start()
		}
	}
	f.mu.Unlock()
	f.notify()
}

// ReleaseWECs lets the WECs' first lists start, those HoldWECs held back
// and any later ones; calling it again does nothing.
func (f *Fleet) ReleaseWECs() {
	f.release.Do(func() { close(f.mayList) })
}

// Connect starts the watches of the named WECs that are Idle (connecting
// lazily), and keeps them watched should they be bound anew; the others
// are left as they are.
func (f *Fleet) Connect(clusters ...string) {
	f.mu.Lock()
	started := false
	for _, name := range clusters {
		f.connected[name] = true
		if w, ok := f.watches[name]; ok && !w.started {
			w.start()
			started = true
		}
	}
	f.mu.Unlock()
	if started {
		f.notify()
	}
}

// BindingPolicyLabel is the label KubeStellar's transport puts on a
// ManifestWork: the binding policy that produced it.
const BindingPolicyLabel = "transport.kubestellar.io/originOwnerReferenceBindingKey"

func (f *Fleet) workChanged(obj any) {
	mw, ok := obj.(*workv1.ManifestWork)
	if !ok {
		return
	}
	status := WorkStatusOf(mw)
	f.mu.Lock()
	f.policies[mw.Namespace+"/"+mw.Name] = mw.Labels[BindingPolicyLabel]
	if f.works[mw.Namespace] == nil {
		f.works[mw.Namespace] = map[string]WorkStatus{}
	}
	f.works[mw.Namespace][mw.Name] = status
	f.workList = nil
	delete(f.delivered, mw.Namespace)
	f.mu.Unlock()
	f.notify()
}

func (f *Fleet) workDeleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if mw, ok := obj.(*workv1.ManifestWork); ok {
		f.mu.Lock()
		delete(f.policies, mw.Namespace+"/"+mw.Name)
		delete(f.works[mw.Namespace], mw.Name)
		if len(f.works[mw.Namespace]) == 0 {
			delete(f.works, mw.Namespace)
		}
		f.workList = nil
		delete(f.delivered, mw.Namespace)
		f.mu.Unlock()
		f.notify()
	}
}

// Works are the ITS's ManifestWorks as their work agents report them (none
// before Start, or when RBAC forbids reading them). The slice is shared
// until the next change: callers must not modify it.
func (f *Fleet) Works() []WorkStatus {
	f.mu.RLock()
	list := f.workList
	f.mu.RUnlock()
	if list != nil {
		return list
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.workList == nil {
		f.workList = []WorkStatus{}
		for _, byName := range f.works {
			for _, w := range byName {
				f.workList = append(f.workList, w)
			}
		}
	}
	return f.workList
}

// BindingPolicy names the KubeStellar binding policy behind an object
// delivered to cluster by the AppliedManifestWork appliedWork ("" when the
// ITS's ManifestWork is not visible).
func (f *Fleet) BindingPolicy(cluster, appliedWork string) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return BindingPolicies(f.policies).Of(cluster, appliedWork)
}

// BindingPolicies maps "cluster/manifestwork" to the KubeStellar binding
// policy that produced the ManifestWork.
type BindingPolicies map[string]string

// Of names the binding policy behind an object delivered to cluster by the
// AppliedManifestWork appliedWork ("" when unknown). An AppliedManifestWork
// is named "<hub hash>-<ManifestWork name>".
func (b BindingPolicies) Of(cluster, appliedWork string) string {
	if appliedWork == "" {
		return ""
	}
	if p, ok := b[cluster+"/"+appliedWork]; ok {
		return p
	}
	if _, work, ok := strings.Cut(appliedWork, "-"); ok {
		return b[cluster+"/"+work]
	}
	return ""
}

func (f *Fleet) recountCSRs(objs []any) {
	counts := map[string]int{}
	for _, o := range objs {
		csr, ok := o.(*certificatesv1.CertificateSigningRequest)
		if !ok || len(csr.Status.Conditions) > 0 {
			continue
		}
		counts[csr.Labels[clusterv1.ClusterNameLabelKey]]++
	}
	f.mu.Lock()
	f.csrs = counts
	f.mu.Unlock()
	f.notify()
}

// Members returns every WEC of the fleet (of FleetOptions.Clusters, when
// set), sorted by name.
func (f *Fleet) Members() []Member {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]Member, 0, len(f.clusters))
	for name, mc := range f.clusters {
		if len(f.opts.Clusters) > 0 && !slices.Contains(f.opts.Clusters, name) {
			continue
		}
		m := Member{ClusterInfo: SummarizeCluster(mc, f.csrs[name]), Binding: f.bindings[name]}
		if w, ok := f.watches[name]; ok && w.started {
			m.Connection = w.watch.Connection()
		} else if ok {
			m.Connection = Connection{State: Idle}
		} else {
			m.Connection = Connection{State: Unbound, Err: m.Binding.Problem}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Reconnect drops and re-opens the watches on one WEC now, or starts them
// when it is Idle.
func (f *Fleet) Reconnect(name string) error {
	f.mu.Lock()
	w, ok := f.watches[name]
	idle := ok && !w.started
	if idle {
		w.start()
	}
	f.mu.Unlock()
	switch {
	case !ok:
		return fmt.Errorf("cluster %q has no connection to renew (unknown or unbound)", name)
	case idle:
		f.notify()
	default:
		w.watch.Reconnect()
	}
	return nil
}

// WaitSettled waits until every bound WEC has connected or failed at least
// once, or ctx ends; the CLI uses it before reading the tree.
func (f *Fleet) WaitSettled(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changed := f.Listen(ctx)
	for !f.settled() {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// settled says whether every bound WEC has connected or failed at least once.
func (f *Fleet) settled() bool {
	return !slices.ContainsFunc(f.Members(), func(m Member) bool {
		return m.Connection.State == Connecting && m.Connection.Attempts <= 1
	})
}

// ClusterNames are the names of every ManagedCluster of the ITS, those
// FleetOptions.Clusters leaves out of the members included.
func (f *Fleet) ClusterNames() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return slices.Sorted(maps.Keys(f.clusters))
}

// Fetch reads one object in full from its WEC, for the panes that show more
// than the tree keeps (the YAML, the spec).
func (f *Fleet) Fetch(ctx context.Context, o Object) (*unstructured.Unstructured, error) {
	r, err := f.resource(o)
	if err != nil {
		return nil, err
	}
	obj, err := r.Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o, err)
	}
	obj.SetManagedFields(nil)
	return obj, nil
}

// Get reads one object straight from its WEC: kind is a kind, resource or
// short name ("Pod", "deploy", "widgets"). Unlike a lookup in the tree, it
// needs only the right to get that object.
func (f *Fleet) Get(ctx context.Context, cluster, namespace, kind, name string) (Object, error) {
	cfg, err := f.config(cluster)
	if err != nil {
		return Object{}, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return Object{}, err
	}
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)), disc, nil)
	gvr, err := mapper.ResourceFor(schema.GroupVersionResource{Resource: strings.ToLower(kind)})
	if err != nil {
		return Object{}, fmt.Errorf("%s serves no kind %q: %w", cluster, kind, err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return Object{}, err
	}
	u, err := dyn.Resource(gvr).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Object{}, err
	}
	return ToObject(cluster, gvr, u), nil
}

// ClusterObject is the ITS's ManagedCluster of a WEC (managedFields
// removed), for the panes that show it; nil when the ITS lists no such cluster.
func (f *Fleet) ClusterObject(name string) *unstructured.Unstructured {
	f.mu.RLock()
	mc, ok := f.clusters[name]
	f.mu.RUnlock()
	if !ok {
		return nil
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(mc.DeepCopy())
	if err != nil {
		return nil
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetAPIVersion(clusterv1.GroupVersion.String())
	u.SetKind("ManagedCluster")
	u.SetManagedFields(nil)
	return u
}

// config is the client configuration of one bound WEC.
func (f *Fleet) config(cluster string) (*rest.Config, error) {
	w, err := f.watchOf(cluster)
	if err != nil {
		return nil, err
	}
	return w.config, nil
}

// watchOf is the watch that keeps a WEC's part of the tree.
func (f *Fleet) watchOf(cluster string) (*clusterWatch, error) {
	f.mu.RLock()
	w, ok := f.watches[cluster]
	f.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("cluster %q is not connected (unknown or unbound)", cluster)
	}
	return w.watch, nil
}

// resource is a dynamic client for an object's resource in its namespace.
func (f *Fleet) resource(o Object) (dynamic.ResourceInterface, error) {
	cfg, err := f.config(o.Cluster)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	gvr := schema.GroupVersionResource{Group: o.Group, Version: o.Version, Resource: o.Resource}
	return dyn.Resource(gvr).Namespace(o.Namespace), nil
}

// ClustersWith lists the other clusters that have an object of o's
// namespace, kind and name: the same workload elsewhere in the fleet.
func (f *Fleet) ClustersWith(o Object) []string {
	var out []string
	for _, same := range f.Tree.Find(Filter{Namespace: o.Namespace, Kinds: []string{o.Kind}, Name: o.Name, ShowSystem: true}) {
		if same.Name == o.Name && same.Cluster != o.Cluster && !slices.Contains(out, same.Cluster) {
			out = append(out, same.Cluster)
		}
	}
	return out
}
