package kube

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestObjectStatusFromSavedObjects(t *testing.T) {
	cases := []struct {
		file   string
		status Status
		ready  string
	}{
		{"pod-running.yaml", StatusRunning, "2/2"},
		{"pod-pending.yaml", StatusPending, "0/2"},
		{"pod-failed.yaml", StatusFailed, "0/1"},
		{"deployment-ready.yaml", StatusReady, "3/3"},
		{"deployment-notready.yaml", StatusNotReady, "0/3"},
		{"statefulset-ready.yaml", StatusReady, "1/1"},
		{"job-complete.yaml", StatusSucceeded, "1/1"},
		{"job-failed.yaml", StatusFailed, "0/1"},
		{"widget.yaml", StatusReady, ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			obj := fixture(t, c.file)
			gvr := obj.GroupVersionKind().GroupVersion().WithResource(strings.ToLower(obj.GetKind()) + "s")
			// However the kind is read, the status is the same.
			for path, o := range map[string]Object{"json": ToObject("c1", gvr, obj), "as served": readAsServed(t, gvr, obj)} {
				if o.Status != c.status || o.Ready != c.ready {
					t.Errorf("%s: got %s %q, want %s %q", path, o.Status, o.Ready, c.status, c.ready)
				}
			}
		})
	}
}

func TestStatusSeverityAndParsing(t *testing.T) {
	if StatusFailed.Severity() <= StatusPending.Severity() || StatusPending.Severity() <= StatusRunning.Severity() {
		t.Error("Failed must be worse than Pending, and Pending worse than Running")
	}
	if s, err := ParseStatus("failed"); err != nil || s != StatusFailed {
		t.Errorf("ParseStatus(failed) = %s, %v", s, err)
	}
	if _, err := ParseStatus("broken"); err == nil {
		t.Error("ParseStatus accepted an unknown status")
	}
}

func TestARowKeepsOnlyWhatTheInformerReads(t *testing.T) {
	obj := fixture(t, "pod-running.yaml")
	obj.SetAnnotations(map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"})
	obj.SetResourceVersion("42")
	r, ok := dynamicReader{c: &clients{cluster: "c1"}, gvr: podGVR}.row(obj)
	if !ok {
		t.Fatal("no row")
	}
	if len(r.Annotations) != 0 || len(r.ManagedFields) != 0 || len(r.Labels) != 0 || len(r.OwnerReferences) != 0 {
		t.Errorf("the row's metadata kept more than it needs: %+v", r.ObjectMeta)
	}
	if r.Name != obj.GetName() || r.Namespace != obj.GetNamespace() || r.UID != obj.GetUID() || r.ResourceVersion != "42" {
		t.Errorf("the row lost what the informer reads: %+v", r.ObjectMeta)
	}
	if r.Object.Word != "Running" || len(r.Object.Labels) == 0 {
		t.Errorf("the row's object: %+v", r.Object)
	}
}

func TestMetadataOnlyKindsHaveTheStatusOfTheWholeObject(t *testing.T) {
	for gr := range metadataOnly {
		for _, deleted := range []bool{false, true} {
			u := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{
				"name": "x", "namespace": "ns", "uid": "u1", "generation": int64(3), "labels": map[string]any{"a": "b"}}}}
			u.SetAPIVersion(schema.GroupVersion{Group: gr.Group, Version: "v1"}.String())
			u.SetKind("Some" + gr.Resource)
			if deleted {
				u.SetDeletionTimestamp(&metav1.Time{Time: time.Now()})
			}
			gvr := gr.WithVersion("v1")
			whole, partial := ToObject("c1", gvr, u), readAsServed(t, gvr, u)
			if !sameObject(&whole, &partial) {
				t.Errorf("%s deleted=%v: read whole %s %q %q, as metadata %s %q %q", gr, deleted, whole.Status, whole.Word, whole.Ready, partial.Status, partial.Word, partial.Ready)
			}
		}
	}
}
