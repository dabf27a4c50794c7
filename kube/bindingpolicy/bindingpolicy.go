// Package bindingpolicy reads KubeStellar's BindingPolicy and tells which
// WECs and which objects of a WDS it selects.
package bindingpolicy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// GVR is KubeStellar's BindingPolicy, kept in a WDS.
var GVR = schema.GroupVersionResource{Group: "control.kubestellar.io", Version: "v1alpha1", Resource: "bindingpolicies"}

// Policy is the part of KubeStellar's BindingPolicy that says which
// WECs get which objects of the WDS.
type Policy struct {
	Name string `json:"-"`
	// ClusterSelectors: a WEC is selected when its ManagedCluster's labels
	// pass any of them.
	ClusterSelectors []metav1.LabelSelector `json:"clusterSelectors,omitempty"`
	// Downsync: an object is selected when it passes any of these tests.
	Downsync []DownsyncTest `json:"downsync,omitempty"`
}

// DownsyncTest is one of a Policy's object tests; an object passes
// when it passes every criterion, and an empty criterion passes everything.
type DownsyncTest struct {
	// APIGroup is the object's API group ("" for core); nil passes all.
	APIGroup           *string                `json:"apiGroup,omitempty"`
	Resources          []string               `json:"resources,omitempty"`
	Namespaces         []string               `json:"namespaces,omitempty"`
	NamespaceSelectors []metav1.LabelSelector `json:"namespaceSelectors,omitempty"`
	ObjectSelectors    []metav1.LabelSelector `json:"objectSelectors,omitempty"`
	ObjectNames        []string               `json:"objectNames,omitempty"`
}

// Parse reads a BindingPolicy from its JSON (or from the
// content of an unstructured object, marshalled).
func Parse(data []byte) (Policy, error) {
	var raw struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
		Spec     Policy            `json:"spec"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Policy{}, fmt.Errorf("read BindingPolicy: %w", err)
	}
	p := raw.Spec
	p.Name = raw.Metadata.Name
	return p, nil
}

// ClusterMatcher tells whether the policy selects a WEC whose ManagedCluster
// carries the labels it is given. A selector that does not parse selects
// nothing. The selectors are read once, for all the WECs the matcher tests.
func (p Policy) ClusterMatcher() func(clusterLabels map[string]string) bool {
	selectors := parseSelectors(p.ClusterSelectors)
	return func(clusterLabels map[string]string) bool {
		return slices.ContainsFunc(selectors, func(s labels.Selector) bool { return s.Matches(labels.Set(clusterLabels)) })
	}
}

// parseSelectors are the label selectors that parse.
func parseSelectors(selectors []metav1.LabelSelector) []labels.Selector {
	var out []labels.Selector
	for i := range selectors {
		if sel, err := metav1.LabelSelectorAsSelector(&selectors[i]); err == nil {
			out = append(out, sel)
		}
	}
	return out
}

// WorkloadObject is what a downsync test looks at in an object of the WDS.
type WorkloadObject struct {
	Group, Resource, Namespace, Name string
	Labels                           map[string]string
	// NamespaceLabels are the labels of the object's namespace.
	NamespaceLabels map[string]string
}

// SelectsObject tells whether any of the policy's downsync tests passes o.
func (p Policy) SelectsObject(o WorkloadObject) bool {
	return slices.ContainsFunc(p.Downsync, func(t DownsyncTest) bool { return t.passes(o) })
}

func (t DownsyncTest) passes(o WorkloadObject) bool {
	return (t.APIGroup == nil || *t.APIGroup == o.Group) &&
		listPasses(t.Resources, o.Resource) &&
		namespacePasses(t.Namespaces, o.Namespace) &&
		listPasses(t.ObjectNames, o.Name) &&
		(len(t.NamespaceSelectors) == 0 || anySelectorMatches(t.NamespaceSelectors, o.NamespaceLabels, o.Namespace == "")) &&
		(len(t.ObjectSelectors) == 0 || anySelectorMatches(t.ObjectSelectors, o.Labels, false))
}

// listPasses: an empty list or "*" passes every value.
func listPasses(list []string, value string) bool {
	return len(list) == 0 || slices.Contains(list, "*") || slices.Contains(list, value)
}

// namespacePasses: only an empty list or "*" passes a cluster-scoped object.
func namespacePasses(list []string, namespace string) bool {
	if namespace == "" {
		return len(list) == 0 || slices.Contains(list, "*")
	}
	return listPasses(list, namespace)
}

// anySelectorMatches tells whether a selector matches set; for a
// cluster-scoped object's namespace selectors (clusterScoped) only an empty
// selector does.
func anySelectorMatches(selectors []metav1.LabelSelector, set map[string]string, clusterScoped bool) bool {
	for _, ls := range selectors {
		if clusterScoped {
			if len(ls.MatchLabels) == 0 && len(ls.MatchExpressions) == 0 {
				return true
			}
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&ls)
		if err == nil && sel.Matches(labels.Set(set)) {
			return true
		}
	}
	return false
}

// Staged is an object of a WDS.
type Staged struct {
	WorkloadObject
	APIVersion, Kind string
	Object           *unstructured.Unstructured
}

// WDS is what a WDS holds for binding: its policies, and its objects of
// the resources their downsync tests name.
type WDS struct {
	Policies []Policy
	Objects  []Staged
}

// Read lists a WDS's BindingPolicies and its objects of the resources their
// downsync tests name (a test that names no resource, or "*", adds none:
// listing every resource of a server is not worth it here).
func Read(ctx context.Context, dyn dynamic.Interface, disc discovery.DiscoveryInterface) (WDS, error) {
	list, err := dyn.Resource(GVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return WDS{}, fmt.Errorf("list BindingPolicies: %w", err)
	}
	policies, err := ParsePolicies(items(list))
	if err != nil {
		return WDS{}, err
	}
	named := NamedResources(policies)
	if len(named) == 0 {
		return WDS{Policies: policies}, nil
	}
	lists, err := disc.ServerPreferredResources()
	if err != nil && len(lists) == 0 {
		return WDS{}, fmt.Errorf("discover the WDS's resources: %w", err)
	}
	namespaces, err := dyn.Resource(NamespacesGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return WDS{}, fmt.Errorf("list namespaces: %w", err)
	}
	objects := map[schema.GroupVersionResource][]*unstructured.Unstructured{}
	for _, gvr := range Resolve(lists, named) {
		list, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			return WDS{}, fmt.Errorf("list %s: %w", gvr.Resource, err)
		}
		objects[gvr] = items(list)
	}
	return Assemble(policies, items(namespaces), objects), nil
}

// NamespacesGVR is the namespaces' resource, whose labels namespace
// selectors test.
var NamespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

func items(list *unstructured.UnstructuredList) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out
}

// ParsePolicies reads BindingPolicy objects, sorted by name.
func ParsePolicies(objects []*unstructured.Unstructured) ([]Policy, error) {
	out := make([]Policy, 0, len(objects))
	for _, o := range objects {
		data, err := o.MarshalJSON()
		if err != nil {
			return nil, err
		}
		p, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("BindingPolicy %s: %w", o.GetName(), err)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Policy) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// NamedResources are the resources the policies' downsync tests name by
// API group and resource.
func NamedResources(policies []Policy) map[schema.GroupResource]bool {
	named := map[schema.GroupResource]bool{}
	for _, p := range policies {
		for _, t := range p.Downsync {
			for _, r := range t.Resources {
				if t.APIGroup != nil && r != "*" {
					named[schema.GroupResource{Group: *t.APIGroup, Resource: r}] = true
				}
			}
		}
	}
	return named
}

// Resolve gives each named resource the server serves its version from
// discovery's preferred resources; the ones it does not serve are left out.
func Resolve(lists []*metav1.APIResourceList, named map[schema.GroupResource]bool) []schema.GroupVersionResource {
	var out []schema.GroupVersionResource
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if named[schema.GroupResource{Group: gv.Group, Resource: r.Name}] {
				out = append(out, gv.WithResource(r.Name))
			}
		}
	}
	return out
}

// Assemble is the WDS of the policies, its namespaces (for their labels)
// and its objects of each resolved resource, sorted.
func Assemble(policies []Policy, namespaces []*unstructured.Unstructured, objects map[schema.GroupVersionResource][]*unstructured.Unstructured) WDS {
	out := WDS{Policies: policies}
	namespaceLabels := map[string]map[string]string{}
	for _, ns := range namespaces {
		namespaceLabels[ns.GetName()] = ns.GetLabels()
	}
	for gvr, objs := range objects {
		for _, o := range objs {
			out.Objects = append(out.Objects, Staged{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Object: o,
				WorkloadObject: WorkloadObject{Group: gvr.Group, Resource: gvr.Resource, Namespace: o.GetNamespace(), Name: o.GetName(),
					Labels: o.GetLabels(), NamespaceLabels: namespaceLabels[o.GetNamespace()]}})
		}
	}
	slices.SortFunc(out.Objects, func(a, b Staged) int { return strings.Compare(a.key(), b.key()) })
	return out
}

func (s Staged) key() string { return s.Group + "/" + s.Resource + "/" + s.Namespace + "/" + s.Name }

// Selected are the WDS's objects the policy selects, sorted by group,
// resource, namespace and name.
func (w WDS) Selected(p Policy) []Staged {
	var out []Staged
	for _, o := range w.Objects {
		if p.SelectsObject(o.WorkloadObject) {
			out = append(out, o)
		}
	}
	return out
}
