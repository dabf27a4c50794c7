package kube_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// serverPods are the UIDs of a WEC's pods (in namespace ns, or every
// namespace for ""), listed directly as the sandbox's admin.
func serverPods(t *testing.T, s *sandbox.State, cluster, ns string) map[types.UID]string {
	t.Helper()
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	list, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[types.UID]string{}
	for _, p := range list.Items {
		out[p.UID] = p.Namespace + "/" + p.Name
	}
	return out
}

func treePods(f *kube.Fleet, cluster, ns string) map[types.UID]string {
	out := map[types.UID]string{}
	for _, o := range f.Tree.Find(kube.Filter{Clusters: []string{cluster}, Namespace: ns, Kinds: []string{"Pod"}, ShowSystem: true}) {
		out[o.UID] = o.Namespace + "/" + o.Name
	}
	return out
}

func restriction(m kube.Member, resource string) (kube.Restriction, bool) {
	for _, r := range m.Connection.Restricted {
		if r.Resource.String() == resource {
			return r, true
		}
	}
	return kube.Restriction{}, false
}

func member(t *testing.T, f *kube.Fleet, name string) kube.Member {
	t.Helper()
	for _, m := range f.Members() {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no member %s", name)
	return kube.Member{}
}

// TestLimitedUsersSeeWhatTheirRightsAllow runs the fleet as the sandbox's
// namespace-scoped and kind-scoped users: each sees exactly the objects it
// may read, and the connection says what is hidden.
func TestLimitedUsersSeeWhatTheirRightsAllow(t *testing.T) {
	s := sandboxtest.Shared(t)
	if err := s.EnsureUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	const cluster = "cluster1"

	t.Run(sandbox.ShopViewer, func(t *testing.T) {
		// Only the context's namespace (shop) tells wecs where to look.
		f := startFleet(t, s.UserKubeconfig(sandbox.ShopViewer))
		waitFor(t, 90*time.Second, "WECs connected", func() error { return connected(f, s.WECNames()...) })
		waitFor(t, 60*time.Second, "shop's pods in the tree", func() error {
			if want, got := serverPods(t, s, cluster, "shop"), treePods(f, cluster, ""); !maps.Equal(want, got) {
				return fmt.Errorf("server has %v in shop, tree %v", want, got)
			}
			return nil
		})
		if n := len(f.Tree.Find(kube.Filter{Clusters: []string{cluster}, Namespace: "shop", Kinds: []string{"Deployment"}})); n == 0 {
			t.Error("no Deployments of shop in the tree")
		}
		m := member(t, f, cluster)
		pods, ok := restriction(m, "pods")
		if !ok || !slices.Equal(pods.Namespaces, []string{"shop"}) || pods.String() != "pods: only namespace shop" {
			t.Errorf("pods restriction %+v (%v), want only namespace shop", pods, ok)
		}
		if secrets, ok := restriction(m, "secrets"); !ok || secrets.String() != "secrets: not allowed" {
			t.Errorf("secrets restriction %q (%v), want not allowed", secrets, ok)
		}
		if h := m.Connection.Hidden([]string{"Pod", "Deployment"}, "shop"); len(h) != 0 {
			t.Errorf("pods and deployments of shop hidden: %v", h)
		}
		if h := m.Connection.Hidden([]string{"Pod"}, ""); len(h) != 1 {
			t.Errorf("pods of every namespace: hidden %v, want the pods restriction", h)
		}
		// The users may read the ITS's ManagedClusters, not its ManifestWorks.
		waitFor(t, 30*time.Second, "the ManifestWorks reported forbidden", func() error {
			if listed, problem := f.WorksListed(); listed || !strings.Contains(problem, "forbidden") {
				return fmt.Errorf("WorksListed() = %v, %q; want false and why", listed, problem)
			}
			return nil
		})
		t.Logf("%s on %s: %d pods, %d restricted kinds", sandbox.ShopViewer, cluster, len(treePods(f, cluster, "")), len(m.Connection.Restricted))
	})

	t.Run(sandbox.PodViewer, func(t *testing.T) {
		f := startFleet(t, s.UserKubeconfig(sandbox.PodViewer))
		waitFor(t, 90*time.Second, "WECs connected", func() error { return connected(f, s.WECNames()...) })
		waitFor(t, 60*time.Second, "every pod in the tree", func() error {
			if want, got := serverPods(t, s, cluster, ""), treePods(f, cluster, ""); !maps.Equal(want, got) {
				return fmt.Errorf("server has %d pods, tree %d", len(want), len(got))
			}
			return nil
		})
		m := member(t, f, cluster)
		if _, ok := restriction(m, "pods"); ok {
			t.Errorf("pods restricted for %s: %v", sandbox.PodViewer, m.Connection.Restricted)
		}
		if d, ok := restriction(m, "deployments.apps"); !ok || len(d.Namespaces) != 0 {
			t.Errorf("deployments restriction %+v (%v), want not allowed", d, ok)
		}
		if n := len(f.Tree.Find(kube.Filter{Clusters: []string{cluster}, Kinds: []string{"Deployment"}, ShowSystem: true})); n != 0 {
			t.Errorf("%d Deployments in the tree of a user who may not read them", n)
		}
		t.Logf("%s on %s: %d pods, %d restricted kinds", sandbox.PodViewer, cluster, len(treePods(f, cluster, "")), len(m.Connection.Restricted))
	})
}
