package kube

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// The reads below serve shell completion: one request each, no watch, and
// bounded in time by the caller's context, so a TAB never hangs on a slow
// cluster.

// NamesFromWECs calls read on every WEC of the ITS (only those named, when
// any are) that binds to a context, all at once, and returns the union of
// the names they give, sorted. A WEC that fails or is too slow adds none.
func (k *Kubeconfig) NamesFromWECs(ctx context.Context, its string, explicit map[string]string, only []string,
	read func(context.Context, *rest.Config) ([]string, error)) ([]string, error) {
	clusters, err := k.ManagedClusters(ctx, its)
	if err != nil {
		return nil, err
	}
	var (
		mu    sync.Mutex
		names = map[string]bool{}
		wg    sync.WaitGroup
	)
	for _, mc := range clusters {
		if len(only) > 0 && !slices.Contains(only, mc.Name) {
			continue
		}
		b := k.Bind(&mc, explicit)
		if !b.Bound() {
			continue
		}
		cfg, err := k.BindingConfig(ctx, mc.Name, b)
		if err != nil {
			continue
		}
		if deadline, ok := ctx.Deadline(); ok {
			cfg.Timeout = time.Until(deadline)
		}
		wg.Go(func() {
			found, err := read(ctx, cfg)
			if err != nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range found {
				names[n] = true
			}
		})
	}
	wg.Wait()
	return slices.Sorted(maps.Keys(names)), nil
}

// ResourceNames are the plural names of the kinds a cluster serves and lets
// one list (from discovery), as kubectl completes them.
func ResourceNames(_ context.Context, cfg *rest.Config) ([]string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	lists, err := cs.Discovery().ServerPreferredResources()
	if len(lists) == 0 && err != nil {
		return nil, err
	}
	var out []string
	for _, l := range lists {
		for _, r := range l.APIResources {
			if !strings.Contains(r.Name, "/") && slices.Contains(r.Verbs, "list") {
				out = append(out, r.Name)
			}
		}
	}
	return out, nil
}

// NamespaceNames are a cluster's namespaces.
func NamespaceNames(ctx context.Context, cfg *rest.Config) ([]string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list.Items))
	for i, ns := range list.Items {
		out[i] = ns.Name
	}
	return out, nil
}
