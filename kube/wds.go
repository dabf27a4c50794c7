package kube

import (
	"context"
	"fmt"
	"slices"
	"sync"

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
	disc     *discovery.DiscoveryClient
	readOnly bool
	perms    permissions
	mu       sync.Mutex
	// watch keeps the WDS once Watch started it.
	watch *wdsWatch
}

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

// Watch starts watching the WDS's BindingPolicies, namespaces and objects
// of the resources the policies name, until ctx ends: Read then answers
// from the watches, and Changed tells when to read again.
func (c *WDSClient) Watch(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watch == nil {
		c.watch = watchWDS(ctx, c.dyn, c.disc)
	}
}

// Read is the WDS's BindingPolicies and objects: as watched, once the
// watches have listed, after Watch; else read once.
func (c *WDSClient) Read(ctx context.Context) (bindingpolicy.WDS, error) {
	c.mu.Lock()
	w := c.watch
	c.mu.Unlock()
	var wds bindingpolicy.WDS
	var err error
	if w != nil {
		wds, err = w.read(ctx)
	} else {
		wds, err = bindingpolicy.Read(ctx, c.dyn, c.disc)
	}
	if err != nil {
		return wds, fmt.Errorf("WDS: %w", err)
	}
	return wds, nil
}

// Changed is closed when what Read returns has changed; nil (never) when
// the WDS is not watched.
func (c *WDSClient) Changed() <-chan struct{} {
	c.mu.Lock()
	w := c.watch
	c.mu.Unlock()
	if w == nil {
		return nil
	}
	return w.Changed()
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
