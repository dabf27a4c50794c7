package kube

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

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
