package kube

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// Restriction is a kind the user may not list and watch everywhere on a WEC.
type Restriction struct {
	Kind       string
	Resource   schema.GroupResource
	Namespaced bool
	// Namespaces are the only namespaces where the user may list and watch
	// the kind (and where wecs watches it); none: nowhere.
	Namespaces []string
}

// String says what the user may see of the kind: "pods: only namespace
// shop", "secrets: not allowed".
func (r Restriction) String() string {
	switch len(r.Namespaces) {
	case 0:
		return r.Resource.String() + ": not allowed"
	case 1:
		return r.Resource.String() + ": only namespace " + r.Namespaces[0]
	}
	return r.Resource.String() + ": only namespaces " + strings.Join(r.Namespaces, ", ")
}

// Hides says whether the restriction hides objects in namespace ns (""
// for every namespace).
func (r Restriction) Hides(ns string) bool {
	if ns == "" {
		return true
	}
	return r.Namespaced && !slices.Contains(r.Namespaces, ns)
}

// Hidden are the restrictions that hide objects of the given kinds (any
// kind when none is given) in namespace ns ("" for every namespace).
func (c Connection) Hidden(kinds []string, ns string) []Restriction {
	var out []Restriction
	for _, r := range c.Restricted {
		if len(kinds) > 0 && !slices.ContainsFunc(kinds, func(k string) bool { return strings.EqualFold(k, r.Kind) }) {
			continue
		}
		if r.Hides(ns) {
			out = append(out, r)
		}
	}
	return out
}

// kindWatch is one informer of a session: a kind, cluster-wide or in one
// namespace.
type kindWatch struct {
	gvr       schema.GroupVersionResource
	namespace string // "" for cluster-wide
	handled   cache.ResourceEventHandlerRegistration
	// refused is closed, once, when the server forbids the kind.
	refused chan struct{}
	refuse  sync.Once
}

// forbidden says whether the server forbade the kind.
func (kw *kindWatch) forbidden() bool {
	select {
	case <-kw.refused:
		return true
	default:
		return false
	}
}

// settled says whether the informer has listed or was refused.
func (kw *kindWatch) settled() bool {
	return kw.forbidden() || cache.IsDone(kw.handled.HasSyncedChecker())
}

// restrictions turns a session's informers into the kinds the user may
// not list everywhere, by resource.
func restrictions(clusterWide, perNamespace []*kindWatch, found kindsFound) []Restriction {
	allowed := map[schema.GroupResource][]string{}
	for _, kw := range perNamespace {
		if !kw.forbidden() {
			allowed[kw.gvr.GroupResource()] = append(allowed[kw.gvr.GroupResource()], kw.namespace)
		}
	}
	var out []Restriction
	for _, kw := range clusterWide {
		if kw.forbidden() {
			gr := kw.gvr.GroupResource()
			namespaces := allowed[gr]
			slices.Sort(namespaces)
			out = append(out, Restriction{Kind: found.kindNames[gr], Resource: gr, Namespaced: found.namespaced[gr], Namespaces: namespaces})
		}
	}
	slices.SortFunc(out, func(a, b Restriction) int { return strings.Compare(a.Resource.String(), b.Resource.String()) })
	return out
}

// maxRulesReviews bounds how many namespaces are asked about, and how many
// at once.
const (
	maxRulesReviews      = 200
	parallelRulesReviews = 8
)

// allowedNamespaces says in which namespaces the user may list and watch
// each of kinds. The namespaces looked at are the given ones plus every
// namespace when the user may list namespaces; each is asked about with a
// SelfSubjectRulesReview. Where that review fails or is incomplete, every
// kind is tried there (the informer then finds out).
func allowedNamespaces(ctx context.Context, config *rest.Config, dyn dynamic.Interface, given []string, kinds []schema.GroupVersionResource) map[schema.GroupVersionResource][]string {
	if len(kinds) == 0 {
		return nil
	}
	candidates := map[string]bool{}
	for _, ns := range given {
		if ns != "" {
			candidates[ns] = true
		}
	}
	if list, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).List(ctx, metav1.ListOptions{}); err == nil {
		for _, ns := range list.Items {
			if len(candidates) >= maxRulesReviews {
				break
			}
			candidates[ns.GetName()] = true
		}
	}
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil
	}
	out := map[schema.GroupVersionResource][]string{}
	var mu sync.Mutex
	sem := make(chan struct{}, parallelRulesReviews)
	var wg sync.WaitGroup
	for _, ns := range slices.Sorted(maps.Keys(candidates)) {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			review, err := cs.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx,
				&authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: ns}}, metav1.CreateOptions{})
			known := err == nil && !review.Status.Incomplete
			mu.Lock()
			defer mu.Unlock()
			for _, gvr := range kinds {
				if !known || rulesAllowListWatch(review.Status.ResourceRules, gvr.GroupResource()) {
					out[gvr] = append(out[gvr], ns)
				}
			}
		})
	}
	wg.Wait()
	for gvr := range out {
		slices.Sort(out[gvr])
	}
	return out
}

// rulesAllowListWatch says whether rules let the user list and watch every
// object of a kind.
func rulesAllowListWatch(rules []authorizationv1.ResourceRule, gr schema.GroupResource) bool {
	var list, watch bool
	for _, r := range rules {
		if len(r.ResourceNames) > 0 || !matches(r.APIGroups, gr.Group) || !matches(r.Resources, gr.Resource) {
			continue
		}
		list = list || matches(r.Verbs, "list")
		watch = watch || matches(r.Verbs, "watch")
	}
	return list && watch
}

func matches(values []string, want string) bool {
	return slices.Contains(values, want) || slices.Contains(values, "*")
}
