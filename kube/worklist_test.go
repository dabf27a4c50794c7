package kube

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	workv1 "open-cluster-management.io/api/work/v1"
)

// workListJSON is a list of two ManifestWorks as an API server writes it,
// manifests, status and feedback included, with a field wecs does not know.
const workListJSON = `{"kind":"ManifestWorkList","apiVersion":"work.open-cluster-management.io/v1",
"metadata":{"resourceVersion":"4711","continue":""},
"items":[
 {"metadata":{"name":"shop-policy-work","namespace":"cluster1","resourceVersion":"4700","labels":{"transport.kubestellar.io/originOwnerReferenceBindingKey":"shop-policy"},
   "annotations":{"a":"b"}},
  "spec":{"workload":{"manifests":[{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":2}}]}},
  "status":{"conditions":[{"type":"Applied","status":"True","reason":"AppliedManifestWorkComplete","message":"ok","lastTransitionTime":"2026-11-29T10:00:00Z"}],
   "resourceStatus":{"manifests":[{"resourceMeta":{"ordinal":0,"group":"apps","version":"v1","kind":"Deployment","resource":"deployments","name":"web","namespace":"shop"},
    "statusFeedback":{"values":[{"name":"AvailableReplicas","fieldValue":{"type":"Integer","integer":2}}]},
    "conditions":[{"type":"Available","status":"True","reason":"ResourceAvailable","message":"","lastTransitionTime":"2026-11-29T10:00:01Z"}]}]}}},
 {"metadata":{"name":"empty","namespace":"cluster2"},"spec":{},"status":{},"future":{"x":[1,2]}}
]}`

// workServer answers every request with status and body.
func workServer(t *testing.T, status int, body string) *rest.RESTClient {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/apis/work.open-cluster-management.io/v1/manifestworks" {
			t.Errorf("asked for %s", r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(server.Close)
	wc, err := workclient.NewForConfig(&rest.Config{Host: server.URL})
	if err != nil {
		t.Fatal(err)
	}
	return wc.WorkV1().RESTClient().(*rest.RESTClient)
}

// TestListWorksDecodesAsTheClientDoesWithoutTheSpecs: the streamed list
// is the list client-go decodes, spec left out.
func TestListWorksDecodesAsTheClientDoesWithoutTheSpecs(t *testing.T) {
	got, err := listWorks(t.Context(), workServer(t, http.StatusOK, workListJSON), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want workv1.ManifestWorkList
	if err := json.Unmarshal([]byte(workListJSON), &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Items[0].Spec.Workload.Manifests) != 1 {
		t.Fatalf("the fixture's spec did not decode: %+v", want.Items[0].Spec)
	}
	want.TypeMeta = metav1.TypeMeta{}
	for i := range want.Items {
		want.Items[i].Spec = workv1.ManifestWorkSpec{}
	}
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("listWorks:\n%+v\nwant:\n%+v", got, &want)
	}
	if v := got.Items[0].Status.ResourceStatus.Manifests[0].StatusFeedbacks.Values[0].Value.Integer; !reflect.DeepEqual(v, ptr.To[int64](2)) {
		t.Errorf("feedback AvailableReplicas = %v, want 2", v)
	}
}

// TestListWorksFailsClearly: a refusal keeps its kind (the fleet tells a
// forbidden list from others), and a cut answer is an error, not a list.
func TestListWorksFailsClearly(t *testing.T) {
	forbidden := `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,
"message":"manifestworks.work.open-cluster-management.io is forbidden: User \"dev\" cannot list resource \"manifestworks\""}`
	if _, err := listWorks(t.Context(), workServer(t, http.StatusForbidden, forbidden), metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("a 403 answer gave %v, want a Forbidden error", err)
	}
	for _, cut := range []string{workListJSON[:len(workListJSON)/2], workListJSON[:len(workListJSON)-1], "", "[]", `{"items":{}}`} {
		if list, err := listWorks(t.Context(), workServer(t, http.StatusOK, cut), metav1.ListOptions{}); err == nil || !strings.Contains(err.Error(), "ManifestWork list") {
			t.Errorf("answer %.40q gave %v, %v; want an error that names the ManifestWork list", cut, list, err)
		}
	}
}
