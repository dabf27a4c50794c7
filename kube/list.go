package kube

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/disk"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	workv1 "open-cluster-management.io/api/work/v1"
)

// ClusterAnnotation names the WEC an object read across the fleet came from.
const ClusterAnnotation = "wecs.dev/cluster"

// readTimeout bounds how long one WEC's discovery and lists may take, so
// that a WEC that does not answer delays the others no longer than this.
const readTimeout = 30 * time.Second

// discoveryTTL is how long a WEC's discovery cached on disk is trusted, as kubectl's.
const discoveryTTL = 6 * time.Hour

// ListRequest says what to read across the fleet: kinds as kubectl takes
// them, and what the servers filter on.
type ListRequest struct {
	// Kinds as typed (po, deployments.apps, wdg …); none: every kind the
	// tree shows.
	Kinds    []string
	Clusters []string // none: every WEC
	// Namespace limits the read to one namespace ("" for all). Without it,
	// a kind the user may not list cluster-wide is read in Namespaces and
	// the context's namespace.
	Namespace     string
	Namespaces    []string
	LabelSelector string
	FieldSelector string
	// WECContexts maps WEC names to kubeconfig contexts, as for a Fleet.
	WECContexts map[string]string
	// Keep, when set, is asked of each object as it is read, on its WEC's
	// goroutine: what to keep of it (Listed.Slim for a table), or false to
	// drop it at once. Without it every object is kept whole.
	Keep func(Listed) (Listed, bool)
}

// Listed is one object read from a WEC, annotated with ClusterAnnotation.
type Listed struct {
	Cluster  string
	Resource schema.GroupVersionResource
	// Object is typed for Kubernetes' own kinds (read in protobuf) and
	// *unstructured.Unstructured for custom resources; its kind is set.
	// Slim leaves only its metadata.
	Object runtime.Object
	// row is the object's row, kept by Slim.
	row *Object
}

// Slim is the object reduced to its row and its name, namespace and
// labels: all a table prints, in a fraction of the memory.
func (l Listed) Slim() Listed {
	row := l.Row()
	m := l.Meta()
	slim := &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: l.Resource.GroupVersion().String(), Kind: l.Kind()},
		ObjectMeta: metav1.ObjectMeta{Name: m.GetName(), Namespace: m.GetNamespace(), Labels: m.GetLabels()},
	}
	return Listed{Cluster: l.Cluster, Resource: l.Resource, Object: slim, row: &row}
}

// Meta is the object's metadata.
func (l Listed) Meta() metav1.Object {
	m, err := meta.Accessor(l.Object)
	if err != nil {
		return &metav1.ObjectMeta{}
	}
	return m
}

// Kind is the object's kind.
func (l Listed) Kind() string { return l.Object.GetObjectKind().GroupVersionKind().Kind }

// Row is the object as the tree condenses it (status word, ready, restarts).
func (l Listed) Row() Object {
	if l.row != nil {
		return *l.row
	}
	switch o := l.Object.(type) {
	case *corev1.Pod:
		return podObject(l.Cluster, l.Resource, o, o)
	case *corev1.Node:
		return nodeObject(l.Cluster, l.Resource, o, o)
	}
	return ToObject(l.Cluster, l.Resource, l.Unstructured())
}

// Unstructured is the object as JSON-like maps, for printers and templates.
func (l Listed) Unstructured() *unstructured.Unstructured {
	if u, ok := l.Object.(*unstructured.Unstructured); ok {
		return u
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(l.Object)
	if err != nil {
		return &unstructured.Unstructured{Object: map[string]any{}}
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(l.Object.GetObjectKind().GroupVersionKind())
	return u
}

// FleetList is what every WEC answered to a ListRequest.
type FleetList struct {
	// Items are sorted by cluster, kind, namespace and name.
	Items []Listed
	// Resources are the kinds read, on one WEC at least.
	Resources []schema.GroupVersionResource
	// Unreadable are the WECs that could not be read, each with why.
	Unreadable []string
	// Hidden are the WECs where the user's rights hide objects asked for,
	// each with the restrictions.
	Hidden []string
	// reads are the lists made, for Watch to go on from.
	reads []kindRead
}

// kindRead is one kind read on one WEC (in one namespace, or all), and the
// resource version it was read at.
type kindRead struct {
	cluster         string
	gvr             schema.GroupVersionResource
	resource        dynamic.ResourceInterface
	opts            metav1.ListOptions
	resourceVersion string
}

// UnknownKindError says a kind no WEC serves, with the closest names it has.
type UnknownKindError struct {
	Kind    string
	Closest []string
}

func (e *UnknownKindError) Error() string {
	msg := fmt.Sprintf("the server doesn't have a resource type %q", e.Kind)
	if len(e.Closest) > 0 {
		msg += "; the closest kinds are " + strings.Join(e.Closest, ", ")
	}
	return msg + " (kubectl --context CLUSTER api-resources lists every kind of a WEC)"
}

// NoSuchClusterError names a --cluster the ITS does not know.
type NoSuchClusterError struct {
	Cluster string
	Known   []string
}

func (e *NoSuchClusterError) Error() string {
	return fmt.Sprintf("--cluster %s: the ITS has no such cluster (it has %s)", e.Cluster, strings.Join(e.Known, ", "))
}

// ManagedClusters lists the ITS's ManagedClusters, sorted by name. Only a
// list the ITS refused asks it more, to say why (checkITS).
func (k *Kubeconfig) ManagedClusters(ctx context.Context, its string) ([]clusterv1.ManagedCluster, error) {
	cfg, err := k.RESTConfig(its)
	if err != nil {
		return nil, fmt.Errorf("%w context %q: %v", ErrITS, its, err)
	}
	listConfig := rest.CopyConfig(cfg)
	listConfig.Timeout = connectTimeout
	oc, err := clusterclient.NewForConfig(listConfig)
	if err != nil {
		return nil, err
	}
	mcs, err := oc.ClusterV1().ManagedClusters().List(ctx, metav1.ListOptions{})
	if err != nil {
		var answered apierrors.APIStatus
		if !errors.As(err, &answered) {
			return nil, itsDoesNotAnswer(cfg, its, err)
		}
		if why := checkITS(cfg, its); why != nil {
			return nil, why
		}
		return nil, fmt.Errorf("%w context %q: listing ManagedClusters: %s", ErrITS, its, errorText(err))
	}
	slices.SortFunc(mcs.Items, func(a, b clusterv1.ManagedCluster) int { return cmp.Compare(a.Name, b.Name) })
	return mcs.Items, nil
}

// ReadBindingPolicies reads which binding policy produced each ManifestWork
// of the ITS (their metadata only); nil when the user may not list them.
func (k *Kubeconfig) ReadBindingPolicies(ctx context.Context, its string) BindingPolicies {
	cfg, err := k.RESTConfig(its)
	if err != nil {
		return nil
	}
	client, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil
	}
	works, err := client.Resource(workv1.SchemeGroupVersion.WithResource("manifestworks")).List(ctx, metav1.ListOptions{LabelSelector: BindingPolicyLabel})
	if err != nil {
		return nil
	}
	out := BindingPolicies{}
	for _, mw := range works.Items {
		out[mw.Namespace+"/"+mw.Name] = mw.Labels[BindingPolicyLabel]
	}
	return out
}

// List LISTs the asked kinds on every bound WEC of the ITS in parallel,
// with the selectors sent to the servers; it starts no informer. Kinds
// resolve through each WEC's discovery, cached on disk under --cache-dir.
// A kind no WEC serves is an *UnknownKindError; a WEC that cannot be read
// is in Unreadable, the others are still listed.
func (k *Kubeconfig) List(ctx context.Context, its string, req ListRequest) (*FleetList, error) {
	mcs, err := k.ManagedClusters(ctx, its)
	if err != nil {
		return nil, err
	}
	var known []string
	for _, mc := range mcs {
		known = append(known, mc.Name)
	}
	for _, c := range req.Clusters {
		if !slices.Contains(known, c) {
			return nil, &NoSuchClusterError{Cluster: c, Known: known}
		}
	}
	answers := make([]clusterAnswer, len(mcs))
	var wg sync.WaitGroup
	for i, mc := range mcs {
		if len(req.Clusters) > 0 && !slices.Contains(req.Clusters, mc.Name) {
			continue
		}
		answers[i].cluster = mc.Name
		b := k.Bind(&mc, req.WECContexts)
		if !b.Bound() {
			answers[i].err = errors.New("unbound: " + b.Problem)
			continue
		}
		answers[i].keep = req.Keep
		wg.Go(func() { answers[i].read(ctx, k, b, req) })
	}
	wg.Wait()
	if err := unknownKind(req.Kinds, answers); err != nil {
		return nil, err
	}
	out := &FleetList{}
	for _, a := range answers {
		switch {
		case a.cluster == "":
			continue
		case a.err != nil:
			out.Unreadable = append(out.Unreadable, a.cluster+" ("+errorText(a.err)+")")
			continue
		case len(a.hidden) > 0:
			out.Hidden = append(out.Hidden, a.cluster+" ("+strings.Join(a.hidden, "; ")+")")
		}
		out.Items = append(out.Items, a.items...)
		out.reads = append(out.reads, a.reads...)
		for _, r := range a.reads {
			if !slices.Contains(out.Resources, r.gvr) {
				out.Resources = append(out.Resources, r.gvr)
			}
		}
	}
	slices.SortStableFunc(out.Items, func(a, b Listed) int {
		am, bm := a.Meta(), b.Meta()
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Kind(), b.Kind()),
			cmp.Compare(am.GetNamespace(), bm.GetNamespace()), cmp.Compare(am.GetName(), bm.GetName()))
	})
	return out, nil
}

// clusterAnswer is one WEC's part of a fleet list.
type clusterAnswer struct {
	cluster string
	items   []Listed
	reads   []kindRead
	// hidden are the kinds the user's rights hide, in part or whole.
	hidden []string
	// unknown are the asked kinds this WEC does not serve; names are every
	// name its discovery knows, for suggestions.
	unknown []string
	names   []string
	err     error
	// keep is the request's Keep.
	keep func(Listed) (Listed, bool)
}

// read resolves the asked kinds through the WEC's discovery and lists them.
func (a *clusterAnswer) read(ctx context.Context, k *Kubeconfig, b Binding, req ListRequest) {
	cfg, err := k.BindingConfig(ctx, a.cluster, b)
	if err != nil {
		a.err = err
		return
	}
	cfg.QPS, cfg.Burst = 50, 100
	discoveryConfig := rest.CopyConfig(cfg)
	if discoveryConfig.Timeout == 0 {
		discoveryConfig.Timeout = readTimeout
	}
	disc, err := k.cachedDiscovery(discoveryConfig)
	if err != nil {
		a.err = err
		return
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		a.err = err
		return
	}
	kinds, err := a.resolve(disc, req.Kinds)
	if err != nil {
		a.err = err
		return
	}
	namespaces := req.Namespaces
	if ns := k.ContextNamespace(b.Context); ns != "" && !slices.Contains(namespaces, ns) {
		namespaces = append(slices.Clone(namespaces), ns)
	}
	opts := metav1.ListOptions{LabelSelector: req.LabelSelector, FieldSelector: req.FieldSelector}
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	for _, kind := range kinds {
		read, err := a.reader(cfg, dyn, kind)
		if err != nil {
			a.refused(kind.gvr, nil, err)
			continue
		}
		if !kind.namespaced || req.Namespace == "" {
			err := read.list(ctx, a, "", opts)
			if err == nil || cachedOnly(disc, kind.gvr, err) {
				continue
			}
			if !apierrors.IsForbidden(err) || !kind.namespaced {
				a.refused(kind.gvr, nil, err)
				continue
			}
			// Read where the user may: the namespaces the user works in.
			var allowed []string
			for _, ns := range namespaces {
				if read.list(ctx, a, ns, opts) == nil {
					allowed = append(allowed, ns)
				}
			}
			a.refused(kind.gvr, allowed, err)
			continue
		}
		if err := read.list(ctx, a, req.Namespace, opts); err != nil && !cachedOnly(disc, kind.gvr, err) {
			a.refused(kind.gvr, nil, err)
		}
	}
}

// cachedOnly says whether err, from a list of gvr, is the server not finding
// a kind that only the cached discovery names (its definition deleted, or
// the cache written by another server once at the same address): the
// server's own discovery, asked afresh, confirms it. Such a kind is left out.
func cachedOnly(disc discovery.CachedDiscoveryInterface, gvr schema.GroupVersionResource, err error) bool {
	if !apierrors.IsNotFound(err) {
		return false
	}
	if !disc.Fresh() {
		disc.Invalidate()
	}
	list, err := disc.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if err != nil {
		return apierrors.IsNotFound(err)
	}
	return !slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == gvr.Resource })
}

// kindLister lists one kind of a WEC: Kubernetes' own kinds in protobuf,
// custom resources as JSON. Watches (for -w) go through the dynamic client.
type kindLister struct {
	kind    resolvedKind
	dynamic dynamic.NamespaceableResourceInterface
	// typed is nil for custom resources.
	typed *typedReader
}

func (a *clusterAnswer) reader(cfg *rest.Config, dyn dynamic.Interface, kind resolvedKind) (kindLister, error) {
	l := kindLister{kind: kind, dynamic: dyn.Resource(kind.gvr)}
	gvk := kind.gvr.GroupVersion().WithKind(kind.kind)
	if kind.kind == "" || customGroup(gvk.Group) || !scheme.Scheme.Recognizes(gvk) {
		return l, nil
	}
	typed, err := newTypedReader(&clients{cluster: a.cluster, config: cfg}, kind.gvr, gvk)
	if err != nil {
		return l, err
	}
	l.typed = &typed
	return l, nil
}

// list reads the kind in one namespace ("" for all) and keeps its objects
// in a, annotated with the cluster.
func (l kindLister) list(ctx context.Context, a *clusterAnswer, namespace string, opts metav1.ListOptions) error {
	var watcher dynamic.ResourceInterface = l.dynamic
	if namespace != "" {
		watcher = l.dynamic.Namespace(namespace)
	}
	keep := func(item runtime.Object) {
		if m, err := meta.Accessor(item); err == nil {
			annotate(m, a.cluster)
		}
		listed := Listed{Cluster: a.cluster, Resource: l.kind.gvr, Object: item}
		if a.keep != nil {
			var ok bool
			if listed, ok = a.keep(listed); !ok {
				return
			}
		}
		a.items = append(a.items, listed)
	}
	var rv string
	if l.typed != nil {
		gvk := l.kind.gvr.GroupVersion().WithKind(l.kind.kind)
		listMeta, err := l.typed.stream(ctx, namespace, opts, nil, func(item runtime.Object) {
			item.GetObjectKind().SetGroupVersionKind(gvk)
			keep(item)
		})
		if err != nil {
			return err
		}
		rv = listMeta.ResourceVersion
	} else {
		list, err := watcher.List(ctx, opts)
		if err != nil {
			return err
		}
		for i := range list.Items {
			keep(&list.Items[i])
		}
		rv = list.GetResourceVersion()
	}
	a.reads = append(a.reads, kindRead{cluster: a.cluster, gvr: l.kind.gvr, resource: watcher, opts: opts, resourceVersion: rv})
	return nil
}

// refused records a kind whose list failed: hidden by the user's rights
// (allowed in some namespaces or none), or an error that makes the WEC
// unreadable.
func (a *clusterAnswer) refused(gvr schema.GroupVersionResource, allowed []string, err error) {
	if apierrors.IsForbidden(err) {
		a.hidden = append(a.hidden, Restriction{Resource: gvr.GroupResource(), Namespaces: allowed}.String())
		return
	}
	if a.err == nil {
		a.err = fmt.Errorf("listing %s: %w", gvr.GroupResource(), err)
	}
}

// annotate marks an object with the WEC it came from.
func annotate(obj metav1.Object, cluster string) {
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[ClusterAnnotation] = cluster
	obj.SetAnnotations(ann)
}

// resolvedKind is a kind as the WEC serves it.
type resolvedKind struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespaced bool
}

// resolve finds the resources the asked kinds name on this WEC (every
// kind the tree shows when none is asked). Kinds it does not serve go to
// a.unknown; only a discovery that fails is an error.
func (a *clusterAnswer) resolve(disc discovery.CachedDiscoveryInterface, kinds []string) ([]resolvedKind, error) {
	// Every group's discovery is read only when needed: a name of the core
	// group (po, svc …) needs the core group's alone.
	var lists []*metav1.APIResourceList
	readAll := func() error {
		if lists != nil {
			return nil
		}
		var err error
		if lists, err = disc.ServerPreferredResources(); err != nil && len(lists) == 0 {
			return fmt.Errorf("discovery: %w", err)
		}
		return nil
	}
	if len(kinds) == 0 {
		if err := readAll(); err != nil {
			return nil, err
		}
		all, namespaced, kinds := watchable(lists)
		out := make([]resolvedKind, len(all))
		for i, gvr := range all {
			out[i] = resolvedKind{gvr: gvr, kind: kinds[gvr.GroupResource()], namespaced: namespaced[gvr.GroupResource()]}
		}
		return out, nil
	}
	var mapper meta.RESTMapper
	var out []resolvedKind
	for _, kind := range kinds {
		r, ok, err := coreKind(disc, kind)
		if err != nil {
			return nil, fmt.Errorf("discovery: %w", err)
		}
		if !ok {
			if err := readAll(); err != nil {
				return nil, err
			}
			if mapper == nil {
				mapper = restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(disc), disc, nil)
			}
			if r, err = resolveKind(mapper, kind); err != nil {
				a.unknown = append(a.unknown, kind)
				if a.names == nil {
					a.names = resourceNames(lists)
				}
				continue
			}
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// coreKind resolves a name of the core group (pods, po, pod, Pod …) from
// that group's discovery alone, without reading every group's: kubectl
// too resolves a name the core group has to the core group. ok is false
// for a name the core group does not have.
func coreKind(disc discovery.CachedDiscoveryInterface, kind string) (r resolvedKind, ok bool, err error) {
	name := strings.ToLower(kind)
	if strings.Contains(name, ".") {
		return resolvedKind{}, false, nil
	}
	core, err := disc.ServerResourcesForGroupVersion(corev1.SchemeGroupVersion.String())
	if err != nil {
		return resolvedKind{}, false, err
	}
	for _, r := range core.APIResources {
		if strings.Contains(r.Name, "/") {
			continue
		}
		if name == r.Name || name == r.SingularName || name == strings.ToLower(r.Kind) || slices.Contains(r.ShortNames, name) {
			return resolvedKind{gvr: corev1.SchemeGroupVersion.WithResource(r.Name), kind: r.Kind, namespaced: r.Namespaced}, true, nil
		}
	}
	return resolvedKind{}, false, nil
}

// resolveKind finds the resource a kubectl-style name means: plural,
// singular, short name or kind, alone or qualified with a group (and
// version) as kubectl takes them.
func resolveKind(mapper meta.RESTMapper, kind string) (resolvedKind, error) {
	fullySpecified, groupResource := schema.ParseResourceArg(strings.ToLower(kind))
	gvr := groupResource.WithVersion("")
	if fullySpecified != nil {
		if r, err := mapper.ResourceFor(*fullySpecified); err == nil {
			gvr = r
		}
	}
	gvr, err := mapper.ResourceFor(gvr)
	if err != nil {
		return resolvedKind{}, err
	}
	gvk, err := mapper.KindFor(gvr)
	if err != nil {
		return resolvedKind{}, err
	}
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return resolvedKind{}, err
	}
	return resolvedKind{gvr: m.Resource, kind: m.GroupVersionKind.Kind, namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace}, nil
}

// resourceNames are the names discovery knows, lower-case: plurals,
// singulars, short names and kinds.
func resourceNames(lists []*metav1.APIResourceList) []string {
	var out []string
	for _, l := range lists {
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			out = append(out, r.Name, r.SingularName, strings.ToLower(r.Kind))
			out = append(out, r.ShortNames...)
		}
	}
	slices.Sort(out)
	return slices.DeleteFunc(slices.Compact(out), func(s string) bool { return s == "" })
}

// KindOn resolves a kind as kubectl takes it (plural, singular, short
// name, kind, kind.group) through one WEC's discovery, cached on disk as
// for List, and returns its name (Deployment, Widget …). A kind the WEC
// does not serve is an *UnknownKindError naming the closest.
func (k *Kubeconfig) KindOn(ctx context.Context, its, cluster, kind string, wecContexts map[string]string) (string, error) {
	cfg, err := k.wecConfig(ctx, its, cluster, wecContexts)
	if err != nil {
		return "", err
	}
	cfg.Timeout = readTimeout
	disc, err := k.cachedDiscovery(cfg)
	if err != nil {
		return "", err
	}
	a := clusterAnswer{cluster: cluster}
	kinds, err := a.resolve(disc, []string{kind})
	if err != nil {
		return "", err
	}
	if len(kinds) == 0 {
		return "", &UnknownKindError{Kind: kind, Closest: closest(strings.ToLower(kind), a.names, 3)}
	}
	return kinds[0].kind, nil
}

// wecConfig is the client configuration of the ITS's WEC named cluster,
// bound to a context as the fleet binds it, without starting the fleet. A
// cluster the ITS does not list is a *NoSuchClusterError.
func (k *Kubeconfig) wecConfig(ctx context.Context, its, cluster string, wecContexts map[string]string) (*rest.Config, error) {
	mcs, err := k.ManagedClusters(ctx, its)
	if err != nil {
		return nil, err
	}
	var known []string
	for _, mc := range mcs {
		known = append(known, mc.Name)
		if mc.Name != cluster {
			continue
		}
		b := k.Bind(&mc, wecContexts)
		if !b.Bound() {
			return nil, errors.New("unbound: " + b.Problem)
		}
		return k.BindingConfig(ctx, cluster, b)
	}
	return nil, &NoSuchClusterError{Cluster: cluster, Known: known}
}

// unknownKind is the error for the first asked kind that no WEC which
// answered serves (nil when each is served by one at least).
func unknownKind(kinds []string, answers []clusterAnswer) error {
	for _, kind := range kinds {
		answered, served := false, false
		var names []string
		for _, a := range answers {
			if a.cluster == "" || a.err != nil {
				continue
			}
			answered = true
			if !slices.Contains(a.unknown, kind) {
				served = true
				break
			}
			names = append(names, a.names...)
		}
		if answered && !served {
			return &UnknownKindError{Kind: kind, Closest: closest(strings.ToLower(kind), names, 3)}
		}
	}
	return nil
}

// closest are the n names nearest to want by edit distance, nearest first.
func closest(want string, names []string, n int) []string {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	dist := make(map[string]int, len(names))
	for _, name := range names {
		dist[name] = editDistance(want, name)
	}
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(dist[a], dist[b]) })
	return names[:min(n, len(names))]
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// cachedDiscovery is discovery for one server, cached on disk in kubectl's
// layout under --cache-dir.
func (k *Kubeconfig) cachedDiscovery(cfg *rest.Config) (discovery.CachedDiscoveryInterface, error) {
	dir := ""
	if k.flags.config.CacheDir != nil {
		dir = *k.flags.config.CacheDir
	}
	if dir == "" {
		return nil, errors.New("--cache-dir is empty: give a directory for the discovery cache, or leave the flag out")
	}
	return disk.NewCachedDiscoveryClientForConfig(rest.CopyConfig(cfg),
		filepath.Join(dir, "discovery", hostDir(cfg.Host)), filepath.Join(dir, "http"), discoveryTTL)
}

var unsafeHostChars = regexp.MustCompile(`[^(\w/.)]`)

// hostDir is a server's cache folder, named from its URL as kubectl names it.
func hostDir(host string) string {
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	return unsafeHostChars.ReplaceAllString(host, "_")
}

// Change is a change to an object of a FleetList.
type Change struct {
	Type watch.EventType
	Listed
	// Err says why a WEC's watch of a kind ended (Type watch.Error).
	Err error
}

// Watch follows every list of l from the resource version it was read at
// and sends each change, its object annotated with ClusterAnnotation,
// until ctx ends; then it closes the channel. A watch the server ends is
// started again from where it was.
func (l *FleetList) Watch(ctx context.Context) <-chan Change {
	events := make(chan Change)
	var wg sync.WaitGroup
	for _, r := range l.reads {
		wg.Go(func() { r.follow(ctx, events) })
	}
	go func() {
		wg.Wait()
		close(events)
	}()
	return events
}

// follow sends the changes of one kind read until ctx ends or the watch
// fails for good.
func (r kindRead) follow(ctx context.Context, events chan<- Change) {
	send := func(e Change) bool {
		select {
		case events <- e:
			return true
		case <-ctx.Done():
			return false
		}
	}
	w, err := watchtools.NewRetryWatcherWithContext(ctx, r.resourceVersion, &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector, opts.FieldSelector = r.opts.LabelSelector, r.opts.FieldSelector
			return r.resource.Watch(ctx, opts)
		},
	})
	if err != nil {
		send(Change{Type: watch.Error, Listed: Listed{Cluster: r.cluster, Resource: r.gvr}, Err: err})
		return
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.ResultChan():
			if !ok {
				return
			}
			ev := Change{Type: e.Type, Listed: Listed{Cluster: r.cluster, Resource: r.gvr}}
			switch obj := e.Object.(type) {
			case *unstructured.Unstructured:
				annotate(obj, r.cluster)
				ev.Object = obj
			default:
				ev.Type, ev.Err = watch.Error, fmt.Errorf("watching %s: %w", r.gvr.GroupResource(), apierrors.FromObject(e.Object))
			}
			if !send(ev) {
				return
			}
		}
	}
}
