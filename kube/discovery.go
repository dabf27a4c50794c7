package kube

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// How long a connection retries a discovery that lacks kinds it expects (an
// API server that has just started serves its custom resources a moment
// after it answers), and how the retries are spaced.
const (
	discoveryGrace     = 30 * time.Second
	discoveryRetryBase = 200 * time.Millisecond
	discoveryRetryCap  = 2 * time.Second
)

// WatchableResources are the coverage kinds the server has plus every custom
// resource it serves that can be listed and watched. A partial discovery
// returns what it found with its error.
func WatchableResources(disc discovery.DiscoveryInterface) ([]schema.GroupVersionResource, error) {
	lists, err := disc.ServerPreferredResources()
	if err != nil && len(lists) == 0 {
		return nil, err
	}
	kinds, _, _ := watchable(lists)
	return kinds, err
}

// watchable picks the kinds to watch from discovery's lists, and says which
// are namespaced and what each kind is called.
func watchable(lists []*metav1.APIResourceList) ([]schema.GroupVersionResource, map[schema.GroupResource]bool, map[schema.GroupResource]string) {
	served := map[schema.GroupVersionResource]bool{}
	namespaced := map[schema.GroupResource]bool{}
	names := map[schema.GroupResource]string{}
	var custom []schema.GroupVersionResource
	for _, list := range lists {
		gv, perr := schema.ParseGroupVersion(list.GroupVersion)
		if perr != nil {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "watch") {
				continue
			}
			gvr := gv.WithResource(r.Name)
			served[gvr] = true
			namespaced[gvr.GroupResource()] = r.Namespaced
			names[gvr.GroupResource()] = r.Kind
			if customGroup(gv.Group) {
				custom = append(custom, gvr)
			}
		}
	}
	var out []schema.GroupVersionResource
	for _, gvr := range coverageResources {
		if served[gvr] {
			out = append(out, gvr)
		}
	}
	return append(out, custom...), namespaced, names
}

// kindsFound is what one discovery of a WEC found, checked against the
// kinds expected there.
type kindsFound struct {
	kinds []schema.GroupVersionResource
	// namespaced tells namespaced kinds from cluster-scoped ones.
	namespaced map[schema.GroupResource]bool
	kindNames  map[schema.GroupResource]string
	// missing are expected kinds the discovery lacks: watched in the last
	// session, or defined by an established CustomResourceDefinition.
	missing []schema.GroupResource
	// failedGroups are the API groups whose discovery failed.
	failedGroups map[string]bool
}

// complete says whether the discovery can be trusted to name every kind.
func (k kindsFound) complete() bool {
	if len(k.missing) > 0 {
		return false
	}
	for g := range k.failedGroups {
		if customGroup(g) {
			return false
		}
	}
	return true
}

// unserved are the missing kinds whose group failed discovery: they may
// still exist, so their objects are kept as last seen.
func (k kindsFound) unserved() []schema.GroupResource {
	var out []schema.GroupResource
	for _, gr := range k.missing {
		if k.failedGroups[gr.Group] {
			out = append(out, gr)
		}
	}
	return out
}

// discoverKinds runs one discovery and compares it with the expected kinds
// and, when the user may list them, the established custom resource
// definitions. Only an answer with nothing in it is an error.
func discoverKinds(ctx context.Context, disc discovery.DiscoveryInterface, dyn dynamic.Interface, expected map[schema.GroupResource]bool) (kindsFound, error) {
	// The definitions are listed while the discovery runs.
	crds := make(chan []schema.GroupResource, 1)
	go func() { crds <- establishedCRDs(ctx, dyn) }()
	lists, err := disc.ServerPreferredResources()
	if err != nil && len(lists) == 0 {
		return kindsFound{}, err
	}
	kinds, namespaced, names := watchable(lists)
	found := kindsFound{kinds: kinds, namespaced: namespaced, kindNames: names, failedGroups: map[string]bool{}}
	if failed, ok := err.(*discovery.ErrGroupDiscoveryFailed); ok {
		for gv := range failed.Groups {
			found.failedGroups[gv.Group] = true
		}
	} else if err != nil {
		return kindsFound{}, err
	}
	want := maps.Clone(expected)
	if want == nil {
		want = map[schema.GroupResource]bool{}
	}
	for _, gr := range <-crds {
		want[gr] = true
	}
	for _, gvr := range found.kinds {
		delete(want, gvr.GroupResource())
	}
	found.missing = slices.SortedFunc(maps.Keys(want), func(a, b schema.GroupResource) int { return strings.Compare(a.String(), b.String()) })
	return found, nil
}

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// establishedCRDs are the custom kinds that established definitions make
// the server serve; nil when the user may not list definitions.
func establishedCRDs(ctx context.Context, dyn dynamic.Interface) []schema.GroupResource {
	list, err := dyn.Resource(crdResource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var out []schema.GroupResource
	for _, crd := range list.Items {
		group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
		if customGroup(group) && plural != "" && crdEstablished(crd.Object) {
			out = append(out, schema.GroupResource{Group: group, Resource: plural})
		}
	}
	return out
}

func crdEstablished(crd map[string]any) bool {
	conditions, _, _ := unstructured.NestedSlice(crd, "status", "conditions")
	for _, c := range conditions {
		if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// discover retries discoverKinds, with backoff, until the answer is
// complete or discoveryGrace has passed; then it returns the last answer.
func discover(ctx context.Context, disc discovery.DiscoveryInterface, dyn dynamic.Interface, expected map[schema.GroupResource]bool) (kindsFound, error) {
	deadline := time.Now().Add(discoveryGrace)
	for n := 0; ; n++ {
		found, err := discoverKinds(ctx, disc, dyn, expected)
		if err != nil || found.complete() || time.Now().After(deadline) {
			return found, err
		}
		select {
		case <-ctx.Done():
			return found, ctx.Err()
		case <-time.After(min(discoveryRetryBase<<min(n, 10), discoveryRetryCap)):
		}
	}
}

// incompleteText says, for the cluster's row, which kinds a discovery left out.
func incompleteText(kinds []schema.GroupResource) string {
	if len(kinds) == 0 {
		return ""
	}
	names := make([]string, len(kinds))
	for i, gr := range kinds {
		names[i] = gr.String()
	}
	return fmt.Sprintf("not served yet, shown as last seen: %s", strings.Join(names, ", "))
}
