package kube

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// wdsWatch keeps a WDS's BindingPolicies, its namespaces and its objects of
// the resources the policies name, from watches: a read of it asks the WDS
// nothing, and a change of it is told at once.
type wdsWatch struct {
	ctx  context.Context
	dyn  dynamic.Interface
	disc *discovery.DiscoveryClient
	// follow asks run to watch the resources the policies now name.
	follow chan struct{}

	mu    sync.Mutex
	kinds map[schema.GroupVersionResource]*wdsKind
	// named are the resources the policies named when they were last
	// resolved, and resolved their versions, as the WDS serves them.
	named    map[schema.GroupResource]bool
	resolved []schema.GroupVersionResource
	// resolveErr says why the named resources could not be resolved, and
	// down why the WDS did not answer its last probe.
	resolveErr, down error
	// next is closed at the next change.
	next chan struct{}
}

// wdsKind is the watch of one resource of the WDS.
type wdsKind struct {
	informer cache.SharedIndexInformer
	// failed is the last list or watch error.
	failed error
	// stop ends the watch.
	stop context.CancelFunc
}

// watchWDS starts watching the WDS's policies and namespaces; the resources
// the policies name are watched as they come.
func watchWDS(ctx context.Context, dyn dynamic.Interface, disc *discovery.DiscoveryClient) *wdsWatch {
	w := &wdsWatch{ctx: ctx, dyn: dyn, disc: disc, follow: make(chan struct{}, 1),
		kinds: map[schema.GroupVersionResource]*wdsKind{}, next: make(chan struct{})}
	w.mu.Lock()
	w.watchKind(bindingpolicy.GVR)
	w.watchKind(bindingpolicy.NamespacesGVR)
	w.mu.Unlock()
	go w.run()
	return w
}

// watchKind starts the watch of gvr unless it runs; the caller holds w.mu.
func (w *wdsWatch) watchKind(gvr schema.GroupVersionResource) {
	if w.kinds[gvr] != nil {
		return
	}
	resource := w.dyn.Resource(gvr)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return resource.List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return resource.Watch(ctx, opts)
		},
	}
	if customGroup(gvr.Group) {
		lw = shortWatches(lw)
	}
	k := &wdsKind{informer: cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})}
	_ = k.informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		w.mu.Lock()
		k.failed = serverAnswer(err)
		w.mu.Unlock()
		w.changed()
	})
	changed := func(any) {
		if gvr == bindingpolicy.GVR {
			select {
			case w.follow <- struct{}{}:
			default:
			}
		}
		w.changed()
	}
	_, _ = k.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: changed, UpdateFunc: func(_, o any) { changed(o) }, DeleteFunc: changed,
	})
	var ctx context.Context
	ctx, k.stop = context.WithCancel(w.ctx)
	w.kinds[gvr] = k
	go k.informer.RunWithContext(ctx)
}

// changed tells everyone waiting on Changed.
func (w *wdsWatch) changed() {
	w.mu.Lock()
	close(w.next)
	w.next = make(chan struct{})
	w.mu.Unlock()
}

// Changed is closed at the next change of what read returns.
func (w *wdsWatch) Changed() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next
}

// run watches the resources the policies name as they change, and probes
// the WDS every healthInterval: its watches retry a lost connection
// silently, and a WDS that went away must not look fine.
func (w *wdsWatch) run() {
	tick := time.NewTicker(healthInterval)
	defer tick.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.follow:
		case <-tick.C:
			_, err := w.disc.RESTClient().Get().AbsPath("/version").Timeout(probeTimeout).DoRaw(w.ctx)
			w.mu.Lock()
			wasDown := w.down != nil
			w.down = err
			w.mu.Unlock()
			if wasDown != (err != nil) {
				w.changed()
			}
		}
		w.resolve()
	}
}

// resolve watches the resources the policies name, when they changed, or
// some were not served (a custom resource defined later) or could not be
// resolved when last asked; the watch of a resource they no longer name
// ends.
func (w *wdsWatch) resolve() {
	policies, err := bindingpolicy.ParsePolicies(w.items(bindingpolicy.GVR))
	if err != nil {
		return // read says so
	}
	named := bindingpolicy.NamedResources(policies)
	w.mu.Lock()
	same := maps.Equal(named, w.named) && len(w.resolved) == len(named) && w.resolveErr == nil
	w.mu.Unlock()
	if same {
		return
	}
	var resolved []schema.GroupVersionResource
	if len(named) > 0 {
		lists, err := w.disc.ServerPreferredResources()
		if err != nil && len(lists) == 0 {
			w.mu.Lock()
			w.resolveErr = err
			w.mu.Unlock()
			w.changed()
			return
		}
		resolved = bindingpolicy.Resolve(lists, named)
	}
	w.mu.Lock()
	w.named, w.resolved, w.resolveErr = named, resolved, nil
	for _, gvr := range resolved {
		w.watchKind(gvr)
	}
	for gvr, k := range w.kinds {
		if gvr != bindingpolicy.GVR && gvr != bindingpolicy.NamespacesGVR && !slices.Contains(resolved, gvr) {
			k.stop()
			delete(w.kinds, gvr)
		}
	}
	w.mu.Unlock()
	w.changed()
}

// items are the objects the watch of gvr holds.
func (w *wdsWatch) items(gvr schema.GroupVersionResource) []*unstructured.Unstructured {
	w.mu.Lock()
	k := w.kinds[gvr]
	w.mu.Unlock()
	if k == nil {
		return nil
	}
	var out []*unstructured.Unstructured
	for _, o := range k.informer.GetStore().List() {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out
}

// wdsReadPoll is how often a read checks whether the watches it needs
// have listed.
const wdsReadPoll = 50 * time.Millisecond

// read is the WDS as the watches hold it, once every watch it needs has
// listed; an error says which could not.
func (w *wdsWatch) read(ctx context.Context) (bindingpolicy.WDS, error) {
	for {
		wds, err, pending := w.snapshot()
		if pending == "" {
			return wds, err
		}
		select {
		case <-ctx.Done():
			return bindingpolicy.WDS{}, fmt.Errorf("%s not listed yet: %w", pending, ctx.Err())
		case <-time.After(wdsReadPoll):
		}
	}
}

// snapshot is read's answer, or what it still waits for (pending).
func (w *wdsWatch) snapshot() (wds bindingpolicy.WDS, err error, pending string) {
	// listed says whether the watch of gvr has listed, or why it could not.
	listed := func(gvr schema.GroupVersionResource, what string) (bool, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		k := w.kinds[gvr]
		switch {
		case k == nil:
			return false, nil
		case k.informer.HasSynced():
			return true, nil
		case k.failed != nil:
			return false, fmt.Errorf("list %s: %w", what, k.failed)
		}
		return false, nil
	}
	w.mu.Lock()
	down := w.down
	w.mu.Unlock()
	if down != nil {
		return wds, fmt.Errorf("does not answer: %s", errorText(down)), ""
	}
	if ok, err := listed(bindingpolicy.GVR, "BindingPolicies"); !ok {
		return wds, err, pendingUnless(err, "BindingPolicies")
	}
	policies, err := bindingpolicy.ParsePolicies(w.items(bindingpolicy.GVR))
	if err != nil {
		return wds, err, ""
	}
	named := bindingpolicy.NamedResources(policies)
	if len(named) == 0 {
		return bindingpolicy.WDS{Policies: policies}, nil, ""
	}
	w.mu.Lock()
	caughtUp, resolveErr, resolved := maps.Equal(named, w.named), w.resolveErr, w.resolved
	w.mu.Unlock()
	switch {
	case resolveErr != nil:
		return wds, fmt.Errorf("discover the WDS's resources: %w", resolveErr), ""
	case !caughtUp:
		select {
		case w.follow <- struct{}{}:
		default:
		}
		return wds, nil, "the resources the BindingPolicies name"
	}
	if ok, err := listed(bindingpolicy.NamespacesGVR, "namespaces"); !ok {
		return wds, err, pendingUnless(err, "namespaces")
	}
	objects := map[schema.GroupVersionResource][]*unstructured.Unstructured{}
	for _, gvr := range resolved {
		if ok, err := listed(gvr, gvr.Resource); !ok {
			return wds, err, pendingUnless(err, gvr.Resource)
		}
		objects[gvr] = w.items(gvr)
	}
	return bindingpolicy.Assemble(policies, w.items(bindingpolicy.NamespacesGVR), objects), nil, ""
}

// pendingUnless is what a read waits for: what, unless err ends the wait.
func pendingUnless(err error, what string) string {
	if err != nil {
		return ""
	}
	return what
}
