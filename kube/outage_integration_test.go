package kube_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// outageKinds are the kinds the outage cycles create and delete: a
// built-in one and two custom ones (namespaced and cluster-scoped).
var outageKinds = []struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespaced bool
}{
	{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ConfigMap", true},
	{schema.GroupVersionResource{Group: sandbox.WidgetGroup, Version: "v1", Resource: "widgets"}, "Widget", true},
	{schema.GroupVersionResource{Group: "cluster.open-cluster-management.io", Version: "v1alpha1", Resource: "clusterclaims"}, "ClusterClaim", false},
}

// TestOutageCyclesLeaveTheTreeEqualToTheServer stops and starts one WEC's
// API server ten times, creating and deleting objects of built-in and
// custom kinds around each outage; every other cycle asks for a reconnect
// the moment the server is ready, while its custom resources may not be
// served yet. After each cycle the tree must equal a direct LIST.
func TestOutageCyclesLeaveTheTreeEqualToTheServer(t *testing.T) {
	s := sandboxtest.New(t, sandbox.Options{WECs: 1, Nodes: 1})
	const cluster, ns, cycles = "cluster1", "outage", 10
	f := startFleet(t, s.Kubeconfig)
	waitFor(t, 90*time.Second, cluster+" connected", func() error { return connected(f, cluster) })
	cfg, err := s.RESTConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	resource := func(i int) dynamic.ResourceInterface {
		if outageKinds[i].namespaced {
			return dyn.Resource(outageKinds[i].gvr).Namespace(ns)
		}
		return dyn.Resource(outageKinds[i].gvr)
	}
	// create makes one object of every outage kind, retrying while a
	// restarted server does not serve the kind yet.
	create := func(name string) error {
		for i, k := range outageKinds {
			obj := map[string]any{"apiVersion": k.gvr.GroupVersion().String(), "kind": k.kind, "metadata": map[string]any{"name": name}}
			switch k.kind {
			case "ConfigMap":
				obj["data"] = map[string]any{"cycle": name}
			default:
				obj["spec"] = map[string]any{"value": name}
			}
			if _, err := resource(i).Create(t.Context(), unstructuredOf(obj), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("create %s %s: %w", k.kind, name, err)
			}
		}
		return nil
	}
	remove := func(name string) error {
		for i, k := range outageKinds {
			if err := resource(i).Delete(t.Context(), name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete %s %s: %w", k.kind, name, err)
			}
		}
		return nil
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	})
	ready := func() error {
		_, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").Timeout(time.Second).DoRaw(t.Context())
		return err
	}

	var incomplete, immediate int
	for cycle := 1; cycle <= cycles; cycle++ {
		before, after := fmt.Sprintf("before-%d", cycle), fmt.Sprintf("after-%d", cycle)
		// Objects made just before the outage; the last cycle's "after"
		// ones are deleted while the server is down for the fleet.
		waitFor(t, 30*time.Second, "create "+before, func() error { return create(before) })
		if err := s.StopComponent(cluster + "/kube-apiserver"); err != nil {
			t.Fatal(err)
		}
		if err := s.StartComponent(cluster+"/kube-apiserver", true); err != nil {
			t.Fatal(err)
		}
		readyAt := time.Now().Add(waitFor(t, 90*time.Second, "readyz", ready))
		if cycle%2 == 1 {
			// At once, before the server may serve its custom resources.
			if err := f.Reconnect(cluster); err != nil {
				t.Fatal(err)
			}
			immediate++
		}
		waitFor(t, 60*time.Second, "objects changed after the restart", func() error {
			if err := remove(fmt.Sprintf("after-%d", cycle-1)); err != nil {
				return err
			}
			if err := remove(fmt.Sprintf("before-%d", cycle-1)); err != nil {
				return err
			}
			return create(after)
		})
		sawIncomplete := false
		waitFor(t, 120*time.Second, "cycle "+after+": connected with the tree equal to the server's", func() error {
			for _, m := range f.Members() {
				if m.Name == cluster && m.Connection.Incomplete != "" {
					sawIncomplete = true
				}
			}
			if err := connected(f, cluster); err != nil {
				return err
			}
			if err := treeMatchesTruth(t, f, s, cluster); err != nil {
				for _, m := range f.Members() {
					if m.Name == cluster {
						return fmt.Errorf("%w; forbidden %v, incomplete %q", err, m.Connection.Forbidden, m.Connection.Incomplete)
					}
				}
				return err
			}
			return nil
		})
		if sawIncomplete {
			incomplete++
		}
		custom := len(f.Tree.Find(kube.Filter{Clusters: []string{cluster}, Kinds: []string{"Widget", "ClusterClaim", "AppliedManifestWork"}, ShowSystem: true}))
		t.Logf("cycle %d: tree equal to the server %s after readyz; %d custom resources", cycle, time.Since(readyAt).Round(100*time.Millisecond), custom)
		if custom == 0 {
			t.Fatalf("cycle %d: no custom resources in the tree", cycle)
		}
	}
	t.Logf("%d cycles (%d reconnected at readyz): 0 ghosts, 0 missing after each; %d showed an incomplete discovery on the way", cycles, immediate, incomplete)
}
