package kube_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// TestWDSClientEditsAStagedObjectInTheWDS reads the sandbox's WDS as the
// staged view does (daily-report is selected by reports-policy, which
// selects cluster2, and by gpu-policy, which selects no WEC), then edits
// daily-report through the client: the WDS holds the edit, and the
// client's access review answers for the WDS.
func TestWDSClientEditsAStagedObjectInTheWDS(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg, err := s.RESTConfig(sandbox.WDS)
	if err != nil {
		t.Fatal(err)
	}
	client, err := kube.NewWDSClient(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	wds, err := client.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	staged := kube.StagedObjects(sandbox.WDS, wds, []kube.ClusterLabels{
		{Name: "cluster1", Labels: map[string]string{"name": "cluster1"}, Accepted: true},
		{Name: "cluster2", Labels: map[string]string{"name": "cluster2"}, Accepted: true}})
	i := slices.IndexFunc(staged, func(o kube.StagedObject) bool { return o.Object.Ref() == "ConfigMap reports/daily-report" })
	if i < 0 {
		t.Fatalf("no daily-report among %d staged objects", len(staged))
	}
	report := staged[i]
	if !report.Object.FromWDS || report.Object.Cluster != sandbox.WDS || !slices.Equal(report.Policies, []string{sandbox.NoWECPolicy, sandbox.FailingPolicy}) ||
		!slices.Equal(report.WECs, []string{"cluster2"}) {
		t.Fatalf("daily-report: %+v, policies %v, WECs %v", report.Object, report.Policies, report.WECs)
	}
	if p := client.Can(t.Context(), "update", report.Object); !p.Allowed {
		t.Fatalf("the sandbox's admin may not update daily-report: %s", p.Reason)
	}
	original, err := client.EditableText(t.Context(), report.Object, false)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(original), "0 6 * * *", "0 7 * * *", 1)
	if edited == string(original) {
		t.Fatalf("daily-report's text has no schedule 0 6 * * *:\n%s", original)
	}
	if err := client.Update(t.Context(), report.Object, original, []byte(edited)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// (The test's context is cancelled by now.)
		ctx := context.Background()
		now, err := client.EditableText(ctx, report.Object, false)
		if err == nil {
			err = client.Update(ctx, report.Object, now, []byte(strings.Replace(string(now), "0 7 * * *", "0 6 * * *", 1)))
		}
		if err != nil {
			t.Errorf("restore daily-report: %v", err)
		}
	})
	now, err := client.EditableText(t.Context(), report.Object, false)
	if err != nil || !strings.Contains(string(now), "0 7 * * *") {
		t.Fatalf("daily-report after the edit (%v):\n%s", err, now)
	}
	// A text that names another object is refused.
	if err := client.Update(t.Context(), report.Object, now, []byte(strings.Replace(string(now), "daily-report", "other", 1))); err == nil || !strings.Contains(err.Error(), "cannot be edited") {
		t.Errorf("an edit that renames the object: %v", err)
	}
}

// TestWDSWatchFollowsTheWDS watches the sandbox's WDS: its first read holds
// what one read of the WDS does; a ConfigMap (a resource the policies name)
// shows, and goes when deleted, each told by Changed; a new policy naming a
// resource no policy named (serviceaccounts) has it watched too, and so is
// the custom resource it names once its definition comes; once the policy
// is deleted, neither is watched any more. Nothing here is selected by a
// policy that selects a WEC, so the sandbox's transport delivers none of
// it.
func TestWDSWatchFollowsTheWDS(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg, err := s.RESTConfig(sandbox.WDS)
	if err != nil {
		t.Fatal(err)
	}
	once, err := kube.NewWDSClient(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	watchedConfig := rest.CopyConfig(cfg)
	streams := &openWatches{open: map[string]int{}}
	watchedConfig.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { streams.inner = rt; return streams }
	watched, err := kube.NewWDSClient(watchedConfig, true)
	if err != nil {
		t.Fatal(err)
	}
	if watched.Changed() != nil {
		t.Fatal("Changed is not nil before Watch")
	}
	watched.Watch(t.Context())
	want, err := once.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	got, err := watched.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(wdsKeys(got), wdsKeys(want)) {
		t.Fatalf("watched WDS:\n%v\none read of it:\n%v", wdsKeys(got), wdsKeys(want))
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	// shows makes a change, waits for Changed, then for a read that holds
	// key (or, when gone, does not).
	shows := func(what, key string, gone bool, change func() error) {
		t.Helper()
		changed := watched.Changed()
		if err := change(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changed:
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: Changed not closed within 15s", what)
		}
		waitFor(t, 15*time.Second, what+" in the watched WDS", func() error {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			wds, err := watched.Read(ctx)
			if err != nil {
				return err
			}
			if slices.Contains(wdsKeys(wds), key) == gone {
				return fmt.Errorf("%s: %v", what, wdsKeys(wds))
			}
			return nil
		})
	}
	cms := cs.CoreV1().ConfigMaps("default")
	t.Cleanup(func() { _ = cms.Delete(context.Background(), "watched", metav1.DeleteOptions{}) })
	shows("ConfigMap default/watched made", "object configmaps default/watched", false, func() error {
		_, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "watched", Namespace: "default"}}, metav1.CreateOptions{})
		return err
	})
	shows("ConfigMap default/watched deleted", "object configmaps default/watched", true, func() error {
		return cms.Delete(t.Context(), "watched", metav1.DeleteOptions{})
	})

	sas := cs.CoreV1().ServiceAccounts("default")
	if _, err := sas.Create(t.Context(), &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "watched", Namespace: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sas.Delete(context.Background(), "watched", metav1.DeleteOptions{}) })
	policies := dynamic.NewForConfigOrDie(cfg).Resource(bindingpolicy.GVR)
	policy := unstructuredOf(map[string]any{"apiVersion": "control.kubestellar.io/v1alpha1", "kind": "BindingPolicy",
		"metadata": map[string]any{"name": "watched-policy"},
		"spec": map[string]any{"clusterSelectors": []any{map[string]any{"matchLabels": map[string]any{"wecs-test": "no-such-wec"}}},
			"downsync": []any{map[string]any{"apiGroup": "", "resources": []any{"serviceaccounts"}, "namespaces": []any{"default"}},
				map[string]any{"apiGroup": "wecs-test.dev", "resources": []any{"gadgets"}, "namespaces": []any{"default"}}}}})
	t.Cleanup(func() { _ = policies.Delete(context.Background(), "watched-policy", metav1.DeleteOptions{}) })
	shows("BindingPolicy watched-policy made", "object serviceaccounts default/watched", false, func() error {
		_, err := policies.Create(t.Context(), policy, metav1.CreateOptions{})
		return err
	})

	// gadgets.wecs-test.dev, named by the policy, is defined only now.
	crds := dynamic.NewForConfigOrDie(cfg).Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	crd := unstructuredOf(map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "gadgets.wecs-test.dev"},
		"spec": map[string]any{"group": "wecs-test.dev", "scope": "Namespaced",
			"names": map[string]any{"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}})
	if _, err := crds.Create(t.Context(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = crds.Delete(context.Background(), "gadgets.wecs-test.dev", metav1.DeleteOptions{}) })
	gadgets := dynamic.NewForConfigOrDie(cfg).Resource(schema.GroupVersionResource{Group: "wecs-test.dev", Version: "v1", Resource: "gadgets"}).Namespace("default")
	waitFor(t, 30*time.Second, "a gadget made", func() error {
		_, err := gadgets.Create(t.Context(), unstructuredOf(map[string]any{"apiVersion": "wecs-test.dev/v1", "kind": "Gadget",
			"metadata": map[string]any{"name": "one"}}), metav1.CreateOptions{})
		return err
	})
	waitFor(t, 20*time.Second, "the gadget in the watched WDS", func() error {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		wds, err := watched.Read(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(wdsKeys(wds), "object gadgets default/one") {
			return fmt.Errorf("%v", wdsKeys(wds))
		}
		return nil
	})
	if streams.count("serviceaccounts") == 0 {
		t.Fatal("no watch of serviceaccounts while a policy names them")
	}
	shows("BindingPolicy watched-policy deleted", "object serviceaccounts default/watched", true, func() error {
		return policies.Delete(t.Context(), "watched-policy", metav1.DeleteOptions{})
	})
	waitFor(t, 15*time.Second, "the watches of what no policy names any more ended", func() error {
		if n, m := streams.count("serviceaccounts"), streams.count("gadgets"); n+m > 0 {
			return fmt.Errorf("%d watches of serviceaccounts and %d of gadgets still open", n, m)
		}
		return nil
	})
}

// openWatches counts, by resource, the watches a client has open.
type openWatches struct {
	mu    sync.Mutex
	open  map[string]int
	inner http.RoundTripper
}

func (o *openWatches) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.inner.RoundTrip(req)
	if err != nil || req.URL.Query().Get("watch") != "true" {
		return resp, err
	}
	parts := strings.Split(req.URL.Path, "/")
	resource := parts[len(parts)-1]
	o.mu.Lock()
	o.open[resource]++
	o.mu.Unlock()
	resp.Body = &watchBody{ReadCloser: resp.Body, closed: func() {
		o.mu.Lock()
		o.open[resource]--
		o.mu.Unlock()
	}}
	return resp, nil
}

func (o *openWatches) count(resource string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.open[resource]
}

// watchBody is a watch's response body that tells when it is closed.
type watchBody struct {
	io.ReadCloser
	once   sync.Once
	closed func()
}

func (b *watchBody) Close() error {
	b.once.Do(b.closed)
	return b.ReadCloser.Close()
}

// wdsKeys names a WDS's policies and objects, in order.
func wdsKeys(w bindingpolicy.WDS) []string {
	var out []string
	for _, p := range w.Policies {
		out = append(out, "policy "+p.Name)
	}
	for _, o := range w.Objects {
		out = append(out, "object "+o.Resource+" "+o.Namespace+"/"+o.Name)
	}
	return out
}
