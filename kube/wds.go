package kube

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// WDSClient reads a WDS's BindingPolicies and the objects they may select,
// and edits those objects: the WDS's copies, which KubeStellar delivers.
type WDSClient struct {
	config   *rest.Config
	dyn      dynamic.Interface
	disc     discovery.DiscoveryInterface
	readOnly bool
	perms    permissions
	mu       sync.Mutex
	// prefetch is the read Prefetch started, until a Read takes it.
	prefetch *wdsRead
}

// wdsRead is one read of the WDS, done once done is closed.
type wdsRead struct {
	started time.Time
	done    chan struct{}
	wds     bindingpolicy.WDS
	err     error
}

// prefetchFresh is how old a prefetched read may be when Read takes it:
// no older than a view's own reads, made every few seconds.
const prefetchFresh = 5 * time.Second

// prefetchTimeout bounds a prefetched read.
const prefetchTimeout = 20 * time.Second

// NewWDSClient prepares the requests to the WDS behind config; readOnly
// says that config refuses every change (wecs runs read-only), so Can
// answers no without asking.
func NewWDSClient(config *rest.Config, readOnly bool) (*WDSClient, error) {
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, err
	}
	return &WDSClient{config: config, dyn: dyn, disc: disc, readOnly: readOnly}, nil
}

// Read reads the WDS's BindingPolicies and objects once, or takes the
// read Prefetch started when it is fresh enough.
func (c *WDSClient) Read(ctx context.Context) (bindingpolicy.WDS, error) {
	c.mu.Lock()
	r := c.prefetch
	c.prefetch = nil
	c.mu.Unlock()
	if r != nil && time.Since(r.started) < prefetchFresh {
		select {
		case <-r.done:
			return r.wds, r.err
		case <-ctx.Done():
			return bindingpolicy.WDS{}, fmt.Errorf("WDS: %w", ctx.Err())
		}
	}
	return c.read(ctx)
}

// Prefetch starts a read that the first Read takes, waiting for it if it
// still runs, when it started less than prefetchFresh before: a view
// opened as the UI starts then shows the WDS without a read of its own.
func (c *WDSClient) Prefetch(ctx context.Context) {
	r := &wdsRead{started: time.Now(), done: make(chan struct{})}
	c.mu.Lock()
	c.prefetch = r
	c.mu.Unlock()
	go func() {
		defer close(r.done)
		ctx, cancel := context.WithTimeout(ctx, prefetchTimeout)
		defer cancel()
		r.wds, r.err = c.read(ctx)
	}()
}

func (c *WDSClient) read(ctx context.Context) (bindingpolicy.WDS, error) {
	wds, err := bindingpolicy.Read(ctx, c.dyn, c.disc)
	if err != nil {
		return wds, fmt.Errorf("WDS: %w", err)
	}
	return wds, nil
}

func (c *WDSClient) resource(o Object) dynamic.ResourceInterface {
	return c.dyn.Resource(schema.GroupVersionResource{Group: o.Group, Version: o.Version, Resource: o.Resource}).Namespace(o.Namespace)
}

// EditableText is a staged object as `kubectl edit` shows it, read fresh
// from the WDS.
func (c *WDSClient) EditableText(ctx context.Context, o Object, asJSON bool) ([]byte, error) {
	obj, err := c.resource(o).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get %s from the WDS %s: %w", o.Ref(), o.Cluster, err)
	}
	return editableText(obj, asJSON)
}

// Update writes an edited staged object back to the WDS, as Fleet.Update
// does to a WEC.
func (c *WDSClient) Update(ctx context.Context, o Object, original, edited []byte) error {
	obj, err := parseEdited(o, edited)
	if err != nil {
		return err
	}
	return updateEdited(ctx, c.resource(o), obj, original)
}

// Can asks the WDS whether the user may verb (update) o, as Fleet.Can asks
// a WEC: the answers are cached for permissionTTL, and in read-only mode
// the answer is no.
func (c *WDSClient) Can(ctx context.Context, verb string, o Object) Permission {
	if c.readOnly {
		return Permission{Reason: ErrReadOnly.Error()}
	}
	key := permissionKey{cluster: o.Cluster, verb: verb, group: o.Group, resource: o.Resource, namespace: o.Namespace}
	return c.perms.answer(key, func() (Permission, bool) { return reviewAccess(ctx, c.config, key) })
}

// StagedObject is an object of a WDS, with the binding policies whose
// downsync selects it and the WECs those policies select.
type StagedObject struct {
	// Object is the WDS's copy: FromWDS, on the cluster named after the
	// WDS's context.
	Object Object
	Full   *unstructured.Unstructured
	// Policies and WECs are sorted; both are empty when no policy selects
	// the object.
	Policies, WECs []string
}

// StagedObjects are the objects of a WDS (read from its context wds), with
// the policies that select them and the WECs (of clusters, the accepted
// ones) those policies select.
func StagedObjects(wds string, w bindingpolicy.WDS, clusters []ClusterLabels) []StagedObject {
	out := make([]StagedObject, 0, len(w.Objects))
	selects := make([]func(map[string]string) bool, len(w.Policies))
	for i, p := range w.Policies {
		selects[i] = p.ClusterMatcher()
	}
	for _, s := range w.Objects {
		ref := stagedRef(s)
		o := ToObject(wds, schema.GroupVersionResource{Group: ref.Group, Version: ref.Version, Resource: ref.Resource}, s.Object)
		o.FromWDS = true
		so := StagedObject{Object: o, Full: s.Object, Policies: []string{}, WECs: []string{}}
		wecs := map[string]bool{}
		for i, p := range w.Policies {
			if !p.SelectsObject(s.WorkloadObject) {
				continue
			}
			so.Policies = append(so.Policies, p.Name)
			for _, c := range clusters {
				if c.Accepted && !wecs[c.Name] && selects[i](c.Labels) {
					wecs[c.Name] = true
					so.WECs = append(so.WECs, c.Name)
				}
			}
		}
		slices.Sort(so.Policies)
		slices.Sort(so.WECs)
		out = append(out, so)
	}
	return out
}
