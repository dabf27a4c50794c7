package kube

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/client-go/rest"
)

// reviewingWDS is a WDS client whose server answers access reviews (update
// of configmaps allowed, nothing else) and counts them.
func reviewingWDS(t *testing.T, readOnly bool) (*WDSClient, *int) {
	reviews := 0
	transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/selfsubjectaccessreviews") {
			t.Errorf("unexpected request %s %s", req.Method, req.URL.Path)
		}
		reviews++
		var review authorizationv1.SelfSubjectAccessReview
		if err := json.NewDecoder(req.Body).Decode(&review); err != nil {
			t.Errorf("read the review: %v", err)
		}
		attrs := review.Spec.ResourceAttributes
		review.Status.Allowed = attrs.Verb == "update" && attrs.Resource == "configmaps"
		review.Kind, review.APIVersion = "SelfSubjectAccessReview", "authorization.k8s.io/v1"
		body, _ := json.Marshal(review)
		return &http.Response{StatusCode: http.StatusCreated, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(string(body))), Request: req}, nil
	})
	c, err := NewWDSClient(&rest.Config{Host: "https://wds1.invalid", Transport: transport,
		ContentConfig: rest.ContentConfig{ContentType: "application/json"}}, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	return c, &reviews
}

func TestWDSCanAnswersReadOnlyWithoutAsking(t *testing.T) {
	c, reviews := reviewingWDS(t, true)
	p := c.Can(t.Context(), "update", Object{Cluster: "wds1", Resource: "configmaps", Namespace: "shop", Name: "web"})
	if p.Allowed || p.Reason != ErrReadOnly.Error() || *reviews != 0 {
		t.Errorf("read-only: %+v after %d reviews, want %q and no review", p, *reviews, ErrReadOnly.Error())
	}
}

func TestWDSCanCachesEachAnswer(t *testing.T) {
	c, reviews := reviewingWDS(t, false)
	shop := Object{Cluster: "wds1", Resource: "configmaps", Namespace: "shop", Name: "web"}
	asks := []struct {
		verb    string
		o       Object
		allowed bool
		reviews int
	}{
		{"update", shop, true, 1},
		{"update", Object{Cluster: "wds1", Resource: "configmaps", Namespace: "shop", Name: "other"}, true, 1},
		{"delete", shop, false, 2},
		{"delete", shop, false, 2},
		{"update", Object{Cluster: "wds1", Resource: "configmaps", Namespace: "reports", Name: "web"}, true, 3},
		{"update", Object{Cluster: "wds1", Group: "apps", Resource: "deployments", Namespace: "shop", Name: "web"}, false, 4},
	}
	for _, a := range asks {
		p := c.Can(t.Context(), a.verb, a.o)
		if p.Allowed != a.allowed || *reviews != a.reviews {
			t.Errorf("%s %s: allowed %v after %d reviews, want %v after %d", a.verb, a.o.Ref(), p.Allowed, *reviews, a.allowed, a.reviews)
		}
		if !p.Allowed && !strings.Contains(p.Reason, "your user may not "+a.verb) {
			t.Errorf("%s %s: reason %q", a.verb, a.o.Ref(), p.Reason)
		}
	}
	for key, cached := range c.perms.cache {
		cached.at = time.Now().Add(-permissionTTL)
		c.perms.cache[key] = cached
	}
	if c.Can(t.Context(), "update", shop); *reviews != 5 {
		t.Errorf("an answer older than %v was used: %d reviews", permissionTTL, *reviews)
	}
}
