package kube

import (
	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// fixture reads a saved object (taken from the sandbox with kubectl get -o yaml).
func fixture(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON, as the API machinery decodes it (integers stay int64).
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(js); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return obj
}

var podGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// readAsServed is an object as a session's reader makes it into a row from
// what the server sends for its kind: metadata only, a typed object (the
// protobuf path) or the JSON object itself.
func readAsServed(t *testing.T, gvr schema.GroupVersionResource, u *unstructured.Unstructured) Object {
	t.Helper()
	c := &clients{cluster: "c1"}
	gvk := u.GroupVersionKind()
	var (
		reader kindReader
		served runtime.Object
	)
	switch {
	case metadataOnly[gvr.GroupResource()]:
		reader = metadataReader{c: c, gvr: gvr, kind: gvk.Kind}
		meta := &metav1.PartialObjectMetadata{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, meta); err != nil {
			t.Fatal(err)
		}
		served = meta
	case scheme.Scheme.Recognizes(gvk):
		reader = typedReader{c: c, gvr: gvr, gvk: gvk}
		typed, err := scheme.Scheme.New(gvk)
		if err != nil {
			t.Fatal(err)
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
			t.Fatal(err)
		}
		served = typed
	default:
		reader, served = dynamicReader{c: c, gvr: gvr}, u
	}
	r, ok := reader.row(served)
	if !ok {
		t.Fatalf("%T made no row of %T", reader, served)
	}
	return r.Object
}
