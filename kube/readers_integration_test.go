package kube

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
)

// contentTypes records, by resource, the content type of each response
// and what its request accepted.
type contentTypes struct {
	mu             sync.Mutex
	seen, accepted map[string]string
	inner          http.RoundTripper
}

func (c *contentTypes) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.inner.RoundTrip(req)
	if err == nil {
		parts := strings.Split(req.URL.Path, "/")
		c.mu.Lock()
		c.seen[parts[len(parts)-1]] = resp.Header.Get("Content-Type")
		c.accepted[parts[len(parts)-1]] = req.Header.Get("Accept")
		c.mu.Unlock()
	}
	return resp, err
}

func TestEachKindIsReadInTheCheapestEncodingTheServerOffers(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg, err := s.RESTConfig(s.WECNames()[0])
	if err != nil {
		t.Fatal(err)
	}
	recorder := &contentTypes{seen: map[string]string{}, accepted: map[string]string{}}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { recorder.inner = rt; return recorder }
	c, err := newClients("c1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	const (
		protobuf = "application/vnd.kubernetes.protobuf"
		// The server answers a request for metadata only in protobuf too,
		// and the reader decodes it into PartialObjectMetadata.
		metadata = "as=PartialObjectMetadataList"
		json     = "application/json"
	)
	cases := []struct {
		gvr  schema.GroupVersionResource
		kind string
		want string
	}{
		{schema.GroupVersionResource{Version: "v1", Resource: "pods"}, "Pod", protobuf},
		{schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, "Node", protobuf},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "Deployment", protobuf},
		{schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, "Secret", metadata},
		{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ConfigMap", metadata},
		{schema.GroupVersionResource{Group: "work.open-cluster-management.io", Version: "v1", Resource: "appliedmanifestworks"}, "AppliedManifestWork", json},
	}
	for _, tc := range cases {
		reader, err := c.reader(tc.gvr, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		list, err := listWatch(reader, "", nil).ListWithContext(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("list %s: %v", tc.gvr.Resource, err)
		}
		rows := list.(*rowList)
		if len(rows.Items) == 0 || rows.ResourceVersion == "" {
			t.Errorf("%s: %d rows at resource version %q", tc.gvr.Resource, len(rows.Items), rows.ResourceVersion)
		}
		for _, r := range rows.Items {
			if r.Object.Kind != tc.kind || r.Object.Cluster != "c1" || r.Object.UID == "" || r.Object.Status == "" {
				t.Errorf("%s: row %+v", tc.gvr.Resource, r.Object)
			}
		}
		recorder.mu.Lock()
		got, accepted := recorder.seen[tc.gvr.Resource], recorder.accepted[tc.gvr.Resource]
		recorder.mu.Unlock()
		switch {
		case tc.want == metadata && (!strings.Contains(accepted, metadata) || !strings.HasPrefix(got, protobuf)):
			t.Errorf("%s: asked for %q, came as %q; want metadata only, in protobuf", tc.gvr.Resource, accepted, got)
		case tc.want == metadata:
		case !strings.HasPrefix(got, tc.want) || strings.Contains(accepted, metadata):
			t.Errorf("%s: asked for %q, came as %q; want %q", tc.gvr.Resource, accepted, got, tc.want)
		}
	}
}

// TestAListAfterAnExpiredWatchReadsTheServerAsItIsNow: after a watch
// expires (a restarted server's cache begins after it), the informer lists
// again from the watch's last resource version. That list must show the
// server's objects as they are now, for each way of reading a kind; read
// at exactly that version, it would show the objects as they were then.
func TestAListAfterAnExpiredWatchReadsTheServerAsItIsNow(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg, err := s.RESTConfig(s.WECNames()[0])
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClients("c1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := scratchNamespace(t, c, "relist")
	cases := []struct {
		gvr    schema.GroupVersionResource
		kind   string
		reader string
	}{
		{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ConfigMap", "kube.metadataReader"},
		{schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, "ServiceAccount", "kube.typedReader"},
		{schema.GroupVersionResource{Group: sandbox.WidgetGroup, Version: "v1", Resource: "widgets"}, "Widget", "kube.dynamicReader"},
	}
	for _, tc := range cases {
		objects := c.dynamic.Resource(tc.gvr).Namespace(ns)
		create := func(name string) {
			t.Helper()
			if _, err := objects.Create(t.Context(), &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": tc.gvr.GroupVersion().String(), "kind": tc.kind, "metadata": map[string]any{"name": name}}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		reader, err := c.reader(tc.gvr, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", reader); got != tc.reader {
			t.Fatalf("%s is read by a %s, want a %s", tc.kind, got, tc.reader)
		}
		lw := listWatch(reader, ns, nil)
		list := func(rv string) map[string]bool {
			t.Helper()
			got, err := lw.ListWithContext(t.Context(), metav1.ListOptions{ResourceVersion: rv})
			if err != nil {
				t.Fatalf("list %s at %q: %v", tc.gvr.Resource, rv, err)
			}
			names := map[string]bool{}
			for _, r := range got.(*rowList).Items {
				names[r.Name] = true
			}
			return names
		}
		create("then")
		first, err := lw.ListWithContext(t.Context(), metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			t.Fatal(err)
		}
		watched := first.(*rowList).ResourceVersion
		if err := objects.Delete(t.Context(), "then", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		create("now")
		// The server's cache may lag its last write for a moment.
		deadline := time.Now().Add(10 * time.Second)
		for names := list(watched); names["then"] || !names["now"]; names = list(watched) {
			if time.Now().After(deadline) {
				t.Fatalf("%s listed again from %s: %v; want %q and not %q", tc.gvr.Resource, watched, names, "now", "then")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// TestALargeKindIsListedInAFirstPageThenTheRest: an informer reads a kind
// of more than a page in two requests, a first page, which tells how many
// objects there are, then the rest in one; and it says how far it has come
// every page's worth of objects.
func TestALargeKindIsListedInAFirstPageThenTheRest(t *testing.T) {
	s := sandboxtest.Shared(t)
	cfg, err := s.RESTConfig(s.WECNames()[0])
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lists []url.Values
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if q := req.URL.Query(); req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/serviceaccounts") && q.Get("watch") == "" {
				mu.Lock()
				lists = append(lists, q)
				mu.Unlock()
			}
			return rt.RoundTrip(req)
		})
	}
	c, err := newClients("c1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := scratchNamespace(t, c, "pages")
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	accounts := c.dynamic.Resource(gvr).Namespace(ns)
	const created = 2*listPageSize + 100
	names := make(chan int)
	var creators sync.WaitGroup
	for range 8 {
		creators.Go(func() {
			for i := range names {
				if _, err := accounts.Create(t.Context(), &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": fmt.Sprintf("sa-%04d", i)}}}, metav1.CreateOptions{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range created {
		names <- i
	}
	close(names)
	creators.Wait()
	all, err := accounts.List(t.Context(), metav1.ListOptions{})
	if err != nil || len(all.Items) < created {
		t.Fatalf("%d service accounts in %s (%v), want at least %d", len(all.Items), ns, err, created)
	}
	total := len(all.Items)

	reader, err := c.reader(gvr, "ServiceAccount")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	lists = nil
	mu.Unlock()
	var progress []string
	inf := cache.NewSharedIndexInformer(listWatch(reader, ns, func(done, total int) {
		mu.Lock()
		progress = append(progress, fmt.Sprintf("%d/%d", done, total))
		mu.Unlock()
	}), &row{}, 0, cache.Indexers{})
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go inf.RunWithContext(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("the informer never synced")
	}
	if got := len(inf.GetStore().List()); got != total {
		t.Errorf("the informer holds %d service accounts, want %d", got, total)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lists) != 2 || lists[0].Get("limit") != strconv.Itoa(listPageSize) || lists[0].Has("continue") ||
		lists[1].Get("continue") == "" || lists[1].Has("limit") {
		t.Errorf("lists asked %v, want a first page of %d, then the rest (continue, no limit)", lists, listPageSize)
	}
	want := []string{fmt.Sprintf("500/%d", total), fmt.Sprintf("1000/%d", total), fmt.Sprintf("%d/%d", total, total)}
	if !slices.Equal(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
}

// scratchNamespace makes a namespace named after prefix, deleted when the
// test ends.
func scratchNamespace(t *testing.T, c *clients, prefix string) string {
	t.Helper()
	ns := prefix + "-" + strings.ToLower(rand.Text()[:8])
	namespaces := c.dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"})
	if _, err := namespaces.Create(t.Context(), &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = namespaces.Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	return ns
}
